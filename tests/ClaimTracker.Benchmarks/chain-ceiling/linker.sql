-- Option (c), the single chain writer: links up to 1,000 pending rows per transaction, and naps 5 ms when none were
-- waiting (a real writer would LISTEN for new pending rows instead of polling).
SELECT link_pending(1000) AS linked \gset
\if :linked = 0
\sleep 5 ms
\endif
