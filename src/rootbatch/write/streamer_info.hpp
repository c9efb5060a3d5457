// The StreamerInfo record: a TList of TStreamerInfo objects describing the
// classes a file contains (ROOTIO-FORMAT.md §2.4, §6.3).
//
// Readers with compiled-in layouts (ROOT, uproot) barely need it, but readers
// that stream generically (JSROOT, uproot for versions it does not know, ROOT
// for vector<T> proxies) do, so the writer describes every class it writes:
// TTree v20, TBranch v13, TLeaf v2 and each TLeaf* subclass used, TNamed,
// TObject, TAtt*, ROOT::TIOFeatures and the collections, plus TBranchElement
// v10, TLeafElement v1 and vector<T> for std::vector branches. The element
// lists and class checksums are those ROOT 6 writes for these versions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace rootbatch::write {

// Classes always described: the core objects a TTree record is made of.
std::set<std::string> CoreStreamerClasses();

// True when BuildStreamerInfoList can describe `class_name` ("TLeafF",
// "vector<float>", ...). vector<T> is accepted for the numeric T the writer uses.
bool IsKnownStreamerClass(const std::string& class_name);

// ROOT's checksum of an STL collection class: the name folded as id = id*3 + c.
uint32_t StlClassChecksum(const std::string& class_name);

// The payload of the StreamerInfo key (a TList named "" holding one
// TStreamerInfo per class, each followed by an empty option string). `origin`
// is the key's fKeylen; class tags count from the key start. Unknown class
// names are skipped (check with IsKnownStreamerClass first).
std::vector<uint8_t> BuildStreamerInfoList(const std::set<std::string>& classes, int64_t origin);

}  // namespace rootbatch::write
