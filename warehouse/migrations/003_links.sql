-- 003: the user's own link decisions (mirrored from <data-dir>/links.csv, the source of truth, so they
-- survive `bankflow rebuild`). action = 'unlink' forbids pairing a and b; 'link' forces it.
CREATE TABLE core.user_links (
    a_id    VARCHAR NOT NULL,
    b_id    VARCHAR NOT NULL,
    action  VARCHAR NOT NULL CHECK (action IN ('link', 'unlink')),
    set_at  TIMESTAMP,
    PRIMARY KEY (a_id, b_id)
);
