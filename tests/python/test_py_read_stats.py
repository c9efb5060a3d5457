"""DataLoader.stats counts what was read, also for baskets embedded in the
TTree record (NanoAOD keeps 947 of its 949 baskets there)."""
import rootbatch

NANO = "nanoAOD_2015_CMS_Open_Data_ttbar.root"


def test_embedded_baskets_are_counted(testdata):
    loader = rootbatch.DataLoader(str(testdata / NANO), tree="Events", columns=["MET_pt", "MET_phi"],
                                  shuffle=False)
    for _ in loader.as_numpy():
        pass
    stats = loader.stats
    assert stats["events"] == 200
    # One embedded basket per column, each 200 float32 values and no offset table.
    assert stats["units_read"] == 2
    assert stats["bytes_read"] == 2 * 200 * 4
    assert stats["bytes_decompressed"] == 2 * 200 * 4


def test_on_disk_baskets_still_count_their_compressed_bytes(testdata):
    path = testdata / "uproot-HZZ-zlib.root"
    loader = rootbatch.DataLoader(str(path), tree="events", columns=["MET_px"], shuffle=False)
    for _ in loader.as_numpy():
        pass
    stats = loader.stats
    assert stats["units_read"] >= 1
    # Compressed on disk: fewer bytes fetched than decompressed.
    assert 0 < stats["bytes_read"] < stats["bytes_decompressed"]
