# The module layout of ../shared/DESIGN.md, checked on the sources: every `#include "MODULE/..."` of
# a file must name its own module or one below it, so dependencies point one way
# (node/cli -> the serving node in node/ -> node/client -> node/net; nothing below includes the
# serving node or node/cli), and Boost and CLI11 stay in the one module each that may use them.
#
#   cmake -DSOURCE_DIR=<repository> -P tests/layout_check.cmake
#
# Prints every include that breaks a rule, with file and line, and fails; ctest runs it as
# `layout_dependencies` (label unit).
cmake_minimum_required(VERSION 3.22)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "give -DSOURCE_DIR=<the repository>")
endif()

# Module: the modules its files may include (itself included). node/cli may include everything and
# is not listed; `node` is the files directly in node/.
set(LIAISON_MODULE_RULES
  "schema:schema"
  "crypto:crypto,schema"
  "policy:policy,schema"
  "screening:screening,schema"
  "adapters:adapters,schema,crypto,policy"
  "node/net:node/net,crypto,schema"
  "node/client:node/client,node/net,crypto,schema"
  "node:node,node/client,node/net,adapters,screening,policy,crypto,schema")
# Third-party headers confined to one module: the include prefix and the module.
set(LIAISON_CONFINED_HEADERS "boost/:node/net" "CLI/:node/cli")
# The module folders that must exist, each with sources (the layout itself).
set(LIAISON_REQUIRED_MODULES schema crypto policy screening adapters node node/net node/client node/cli)

set(problems "")

# The module an include path names: node/net/x.h -> node/net, node/x.h -> node, crypto/x.h -> crypto.
function(module_of include result)
  if(include MATCHES "^node/(net|client|cli)/")
    set(${result} "node/${CMAKE_MATCH_1}" PARENT_SCOPE)
  elseif(include MATCHES "^([a-z_]+)/")
    set(${result} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    set(${result} "" PARENT_SCOPE)
  endif()
endfunction()

# The sources of a module: its folder's own files (node/ without its sub-folders).
function(sources_of module result)
  file(GLOB files "${SOURCE_DIR}/${module}/*.h" "${SOURCE_DIR}/${module}/*.cc")
  set(${result} "${files}" PARENT_SCOPE)
endfunction()

foreach(module ${LIAISON_REQUIRED_MODULES})
  sources_of(${module} files)
  if(NOT files)
    string(APPEND problems "${module}/: missing: the module has no sources there\n")
  endif()
endforeach()

foreach(rule ${LIAISON_MODULE_RULES})
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 module)
  list(GET parts 1 allowed)
  string(REPLACE "," ";" allowed "${allowed}")
  sources_of(${module} files)
  foreach(file ${files})
    file(STRINGS "${file}" lines)
    set(number 0)
    foreach(line IN LISTS lines)
      math(EXPR number "${number} + 1")
      if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
        module_of("${CMAKE_MATCH_1}" included)
        if(included AND NOT included IN_LIST allowed)
          file(RELATIVE_PATH where "${SOURCE_DIR}" "${file}")
          list(JOIN allowed ", " shown)
          string(APPEND problems "${where}:${number}: ${module} includes ${included} (\"${CMAKE_MATCH_1}\"); "
                                 "${module} may include only ${shown}\n")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()

file(GLOB_RECURSE all_sources "${SOURCE_DIR}/*.h" "${SOURCE_DIR}/*.cc")
list(FILTER all_sources EXCLUDE REGEX "^${SOURCE_DIR}/(build[^/]*|\\.[^/]*)/")
foreach(confined ${LIAISON_CONFINED_HEADERS})
  string(REPLACE ":" ";" parts "${confined}")
  list(GET parts 0 prefix)
  list(GET parts 1 owner)
  foreach(file ${all_sources})
    file(RELATIVE_PATH where "${SOURCE_DIR}" "${file}")
    if(where MATCHES "^${owner}/[^/]+$")
      continue()
    endif()
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*<${prefix}")
    if(lines)
      string(APPEND problems "${where}: includes <${prefix}...>, which only ${owner}/ may use\n")
    endif()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "the module layout is broken (see ../shared/DESIGN.md, Modules):\n${problems}")
endif()
message(STATUS "module layout: every include points down")
