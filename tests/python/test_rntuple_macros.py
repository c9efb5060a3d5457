"""RNTuple fields that only uproot reads, checked against the macros that wrote them.

ROOT 6.40's RDataFrame cannot read these fields, so the only comparison
test_rntuple.py has for them is with uproot. Here they are checked against what the
generating macro wrote. The macros are in scikit-hep/scikit-hep-testdata, dev/make-root/,
at commit f51b8fb, the commit of the shared test files (SOURCES.md).

No field of the shared RNTuple files is unreadable by both RDataFrame and uproot (survey
in docs/rntuple-readers.md). Of the uproot-only fields, rootbatch reads atomic_int and
bitset and skips the rest, and the skips must name the type. The other uproot-only fields
are in the ATLAS PHYSLITE file, which no macro wrote.
"""
import numpy as np
import pytest

import rootbatch


def ntuple(testdata, file):
    return rootbatch.open(testdata / file)["ntuple"]


def skipped_by_name(tree):
    return {name: (type_name, reason) for name, type_name, reason in tree.skipped}


# --- rntuple_atomic_bitset.C: RDataFrame cannot open this RNTuple ----------------

ATOMIC_BITSET = "test_atomic_bitset_rntuple_v1-0-0-0.root"


def test_atomic_int_holds_what_the_macro_filled(testdata):
    # rntuple_atomic_bitset.C: field "atomic_int" is a std::atomic<int> (line 18). The
    # macro sets it to 1, 2 and 3 before the three fills (lines 23, 27, 31).
    tree = ntuple(testdata, ATOMIC_BITSET)
    assert tree.num_entries == 3
    info = tree.column("atomic_int")
    assert info.kind == "scalar" and info.dtype == "int32"
    values = tree.array("atomic_int")
    assert values.dtype == np.int32
    assert values.tolist() == [1, 2, 3]


def test_bitset_holds_what_the_macro_filled(testdata):
    # rntuple_atomic_bitset.C: field "bitset" is a std::bitset<42> (line 19). Entry 0 is
    # built from 42 (line 24); entry 1 is that value |= 0b1010101010101010 (line 28);
    # entry 2 is the result &= 0b1100110011001100 (line 32). Bit k of the value is
    # element k: a Bit column packs LSB first, N elements per entry (ROOTIO-FORMAT.md
    # sections 5.5 and 5.6).
    words = [42]
    words.append(words[-1] | 0b1010101010101010)
    words.append(words[-1] & 0b1100110011001100)
    expected = np.array([[(w >> k) & 1 for k in range(42)] for w in words], dtype=bool)
    tree = ntuple(testdata, ATOMIC_BITSET)
    info = tree.column("bitset")
    assert info.kind == "fixed" and info.inner_shape == (42,) and info.dtype == "bool"
    assert info.source_type == "std::bitset<42>"
    values = tree.array("bitset")
    assert values.dtype == np.bool_ and values.shape == (3, 42)
    np.testing.assert_array_equal(values, expected)
    # The set bits, so a failure is easy to read: 42 = bits 1, 3 and 5.
    assert [np.flatnonzero(row).tolist() for row in values] == [
        [1, 3, 5], [1, 3, 5, 7, 9, 11, 13, 15], [3, 7, 11, 15]]


# --- rntuple_emptystruct_invalidvar.C: RDataFrame lists no columns at all ------------

EMPTYSTRUCT = "test_emptystruct_invalidvar_rntuple_v1-0-0-0.root"


def test_empty_struct_and_variant_are_skipped_naming_their_types(testdata):
    # rntuple_emptystruct_invalidvar.C: "empty_struct" is an EmptyStruct, a struct with
    # no members (lines 15, 28). "variant" is a std::variant<int, StructForVariant>
    # (line 29). The macro fills three entries (lines 35, 43, 46).
    tree = ntuple(testdata, EMPTYSTRUCT)
    assert tree.num_entries == 3
    assert tree.keys() == []
    skipped = skipped_by_name(tree)
    assert set(skipped) == {"empty_struct", "variant"}
    assert skipped["empty_struct"][0] == "EmptyStruct"
    assert "empty record" in skipped["empty_struct"][1]
    assert skipped["variant"][0] == "std::variant<std::int32_t,StructForVariant>"
    assert "std::variant" in skipped["variant"][1]
    for name, (type_name, reason) in skipped.items():
        with pytest.raises(rootbatch.UnsupportedError) as error:
            tree[name]
        assert type_name in str(error.value) and reason in str(error.value), name


# --- rntuple_stl_containers.C: RDataFrame lists the field, AsNumpy fails --------------

STL = "test_stl_containers_rntuple_v1-0-0-0.root"


def test_vector_of_variants_is_skipped_naming_std_variant(testdata):
    # rntuple_stl_containers.C line 38: "vector_variant_int64_string" is a
    # std::vector<std::variant<int64_t, std::string>>. The macro appends "one", 2, 3, 4, 5
    # (lines 57, 77, 99, 121, 143).
    tree = ntuple(testdata, STL)
    assert tree.num_entries == 5
    skipped = skipped_by_name(tree)
    type_name, reason = skipped["vector_variant_int64_string"]
    assert "std::variant" in reason
    assert "std::variant<std::int64_t,std::string>" in type_name
    assert not any(k.startswith("vector_variant_int64_string") for k in tree.keys())
    with pytest.raises(rootbatch.UnsupportedError, match="std::variant"):
        tree["vector_variant_int64_string"]


def test_vector_of_variants_skip_reports_the_field_type(testdata):
    # rntuple_stl_containers.C line 38: the field's type is a vector of variants.
    type_name, _ = skipped_by_name(ntuple(testdata, STL))["vector_variant_int64_string"]
    assert type_name == "std::vector<std::variant<std::int64_t,std::string>>"
