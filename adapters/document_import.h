// Moved: the document importer is the generic CSV importer (adapters/csv_import.h) with
// RecordKind::travelDocument. This header remains only until every includer has moved.
#pragma once

#include "adapters/csv_import.h"
