-- 013_search: a cheaper query for matching in full-text search, and an index
-- for the newest messages of a chat by id.
-- messly_search_query() (005) asks for every word in its Russian/English
-- stemmed form OR exactly, e.g. 'fox':* | 'fox':* when both forms are the
-- same. Matching is the same with one of the two, but the GIN index scans
-- each alternative's posting lists separately (a prefix one in full), so a
-- common word cost it twice. This one leaves such duplicates out; the search
-- matches with it and still ranks and highlights with messly_search_query().
CREATE FUNCTION messly_search_match(words text[], prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET client_min_messages = warning   -- no NOTICE for stop words
AS $$
	SELECT tsquery_and_agg(CASE WHEN w.r = w.s THEN w.r ELSE w.r || w.s END)
	FROM (SELECT to_tsquery('russian', v.q) AS r, to_tsquery('simple', v.q) AS s
	      FROM (SELECT CASE WHEN prefix AND i = cardinality(words) THEN x || ':*' ELSE x END AS q
	            FROM unnest(words) WITH ORDINALITY AS t(x, i)) v) w
$$;

-- Each chat's newest messages by id, for search's newest matches among the
-- last ids in the searcher's chats (STMT_SEARCH reads them chat by chat).
CREATE INDEX messages_chat_newest ON messages (chat_id, id);
