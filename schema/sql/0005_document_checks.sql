-- Liaison schema version 5: a document check in one statement, and a visibility check the
-- planner can inline.
--
-- check-document is the node's busiest query. Read the usual way it is four round trips to the
-- database (BEGIN, set_config of the requesting member, the SELECT, COMMIT), each one parsed and
-- planned again. The find functions below set the requesting member and run the lookup in one
-- call, which the store makes as a single autocommitted prepared statement; PL/pgSQL keeps the
-- lookup's plan for the session.
--
-- federation.may_see, the row-level security predicate of every record table, had a FROM clause,
-- so the planner could not inline it: every row checked ran it as a separate SQL function, parsed
-- and planned once per query (a third of a document check's database time). It now says the same
-- thing as one expression, which is inlined into each policy; the group lookup moves into
-- federation.requesting_groups(), which runs only when neither the owner nor the visible_to list
-- already decided, and keeps its plan.
--
-- Row-level security is unchanged: the functions are SECURITY INVOKER, so the lookup runs as the
-- calling role under the policies of 0001, for the member it was given, and a caller gets nothing
-- it could not read with a plain SELECT. The member is set with set_config(..., true) as the store
-- always does, so it ends with the statement's transaction. Only liaison_enforcement may call them,
-- and they touch the documents and watchlist compartments only.
--
-- Applied by `liaison migrate` inside one transaction, as the database owner, after 0004.

-- The groups the requesting member belongs to (empty when no member is set).
CREATE FUNCTION federation.requesting_groups() RETURNS text[]
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
BEGIN
  RETURN ARRAY(SELECT g.group_id FROM federation.group_members g WHERE g.member_id = federation.requesting_member());
END
$$;

-- Same meaning as in 0001: nothing without a requesting member; otherwise the owner, a member
-- listed in visible_to, or a member of a group listed there. The executor evaluates the arms of
-- the OR in order and stops at the first true one, so the group lookup is skipped when the owner
-- or visible_to already decided (the order is not a guarantee; the meaning does not depend on it).
CREATE OR REPLACE FUNCTION federation.may_see(owner text, visible_to text[]) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT federation.requesting_member() IS NOT NULL
       AND (owner = federation.requesting_member()
            OR federation.requesting_member() = ANY (visible_to)
            OR visible_to && federation.requesting_groups())
  $$;

CREATE FUNCTION documents.find_travel_documents(member text, document_number text, issuing_state text)
  RETURNS SETOF documents.travel_documents
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $$
BEGIN
  PERFORM pg_catalog.set_config('liaison.member', member, true);
  RETURN QUERY
    SELECT d.* FROM documents.travel_documents d
     WHERE d.number = find_travel_documents.document_number
       AND d.issuing_state = find_travel_documents.issuing_state;
END
$$;

CREATE FUNCTION watchlist.find_documents(member text, document_number text, issuing_state text)
  RETURNS SETOF watchlist.documents
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $$
BEGIN
  PERFORM pg_catalog.set_config('liaison.member', member, true);
  RETURN QUERY
    SELECT w.* FROM watchlist.documents w
     WHERE w.number = find_documents.document_number
       AND w.issuing_state = find_documents.issuing_state;
END
$$;

REVOKE EXECUTE ON FUNCTION documents.find_travel_documents(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION watchlist.find_documents(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION documents.find_travel_documents(text, text, text) TO liaison_enforcement;
GRANT EXECUTE ON FUNCTION watchlist.find_documents(text, text, text) TO liaison_enforcement;
