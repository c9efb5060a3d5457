"""Writes the same events as a TTree and as an RNTuple with ROOT's RDataFrame.

Run as a separate process by test_rntuple.py (ROOT's interpreter stays out of the
test process). Both files hold tree/RNTuple "events" with the columns
event_id (int64, the entry number), x (float: event_id * 0.5), n (int32: event_id % 4)
and v (std::vector<float> of n items, v[k] = event_id + k), in clusters of
`cluster` entries (RNTuple: approximate, ROOT sizes clusters in bytes).

usage: rntuple_root_writer.py OUT_TTREE OUT_RNTUPLE ENTRIES FIRST_ID
"""
import sys

import ROOT


def main():
    ttree_path, rntuple_path, entries, first = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    df = (ROOT.RDataFrame(entries)
          .Define("event_id", f"(Long64_t)(rdfentry_ + {first})")
          .Define("x", "float(event_id) * 0.5f")
          .Define("n", "int(event_id % 4)")
          .Define("v", "std::vector<float> r; for (int k = 0; k < n; ++k) r.push_back(float(event_id + k)); return r;"))
    columns = ["event_id", "x", "n", "v"]
    df.Snapshot("events", ttree_path, columns)
    options = ROOT.RDF.RSnapshotOptions()
    options.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kRNTuple
    df.Snapshot("events", rntuple_path, columns, options)


if __name__ == "__main__":
    main()
