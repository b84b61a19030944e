"""HistoryBlock codec: exact round trips and the layout the proto promises."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tidelog.records import pb
from tidelog.records.history_block import decode_block, encode_block


@st.composite
def blocks(draw):
    n = draw(st.integers(0, 50))
    k = draw(st.integers(0, 4))
    m = draw(st.integers(0, 3))
    i64 = st.integers(-(2**63), 2**63 - 1)
    steps = draw(hnp.arrays(np.int64, n, elements=i64))
    ts = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 4e9)))
    bits = draw(hnp.arrays(np.uint64, (k, n)))
    fcols = bits.view(np.float64)  # every bit pattern, NaN payloads included
    icols = draw(hnp.arrays(np.int64, (m, n), elements=i64))
    return steps, ts, list(range(1, k + 1)), fcols, list(range(10, 10 + m)), icols


@settings(max_examples=200, deadline=None)
@given(blocks())
def test_round_trip_is_exact(args):
    steps, ts, fkeys, fcols, ikeys, icols = args
    block = pb.HistoryBlock.FromString(encode_block(*args).SerializeToString())
    out = decode_block(block)
    assert out.count == len(steps)
    np.testing.assert_array_equal(out.steps, steps)
    np.testing.assert_array_equal(out.timestamps, np.rint(ts * 1e6) / 1e6)
    assert out.float_keys.tolist() == fkeys and out.int_keys.tolist() == ikeys
    assert out.float_cols.tobytes() == np.ascontiguousarray(fcols).tobytes()
    np.testing.assert_array_equal(out.int_cols, icols)


def test_columns_are_delta_coded_and_byte_shuffled():
    block = encode_block(np.array([5, 6, 8]), np.array([1.0, 1.5, 2.0]), [1], np.array([[1.0, 2.0, 3.0]]),
                         [2], np.array([[10, 10, 13]]))
    planes = np.frombuffer(block.steps, np.uint8).reshape(8, 3)
    assert planes[0].tolist() == [5, 1, 2] and not planes[1:].any()
    ts = np.frombuffer(block.timestamps_us, np.uint8).reshape(8, 3).T.copy().view("<i8").ravel()
    assert ts.tolist() == [1_000_000, 500_000, 500_000]
    ints = np.frombuffer(block.int_columns, np.uint8).reshape(8, 3)[0]
    assert ints.tolist() == [10, 0, 3]
    floats = np.frombuffer(block.float_columns, np.uint8).reshape(8, 3).T.copy().view("<f8").ravel()
    assert floats.tolist() == [1.0, 2.0, 3.0]


def test_wrong_shapes_and_lengths_are_errors():
    with pytest.raises(ValueError, match="float_cols"):
        encode_block(np.arange(3), np.zeros(3), [1, 2], np.zeros((1, 3)), [], np.zeros((0, 3)))
    with pytest.raises(ValueError, match="timestamps"):
        encode_block(np.arange(3), np.zeros(2), [], np.zeros((0, 3)), [], np.zeros((0, 3)))
    block = encode_block(np.arange(3), np.zeros(3), [1], np.zeros((1, 3)), [], np.zeros((0, 3)))
    block.count = 4
    with pytest.raises(ValueError, match="column bytes"):
        decode_block(block)
