"""The sender process: the WAL's only writer (see ``main`` for its loop).

    source   frames from the transport, acknowledged once durable
    builder  frames -> WAL records (sequence numbers, history blocks, media)
    encode_pool  media encoding on every core, results in frame order
    stats    system metrics
    main     the loop, the lock, a full disk, and how it ends
"""
