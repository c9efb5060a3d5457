// Local files through pread(2): positional reads need no shared file offset,
// so one descriptor serves every thread without a lock.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

class LocalFileSource final : public ByteSource {
 public:
  LocalFileSource(std::string path, int fd, int64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~LocalFileSource() override { ::close(fd_); }
  LocalFileSource(const LocalFileSource&) = delete;
  LocalFileSource& operator=(const LocalFileSource&) = delete;

  const std::string& Name() const override { return path_; }
  int64_t Size() const override { return size_; }

  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    RB_RETURN_IF_ERROR(CheckRange(offset, static_cast<int64_t>(out.size())));
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                          static_cast<off_t>(offset + static_cast<int64_t>(done)));
      if (n < 0) {
        const int err = errno;
        if (err == EINTR) continue;
        return IOError("reading " + std::to_string(out.size()) + " bytes at byte " +
                       std::to_string(offset) + " of '" + path_ + "': " + ErrnoText(err))
            .WithPath(path_)
            .WithOffset(offset)
            .WithErrno(err);
      }
      if (n == 0) {
        const int64_t end = offset + static_cast<int64_t>(done);
        return IOError("'" + path_ + "' ended at byte " + std::to_string(end) +
                       " while reading; it shrank after it was opened")
            .WithPath(path_)
            .WithOffset(end);
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
  int64_t size_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenLocalFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("no such file: '" + path + "'").WithPath(path).WithErrno(err);
    return IOError("cannot open '" + path + "': " + ErrnoText(err)).WithPath(path).WithErrno(err);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IOError("cannot stat '" + path + "': " + ErrnoText(err)).WithPath(path).WithErrno(err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return IOError("'" + path + "' is a directory, not a file").WithPath(path).WithErrno(EISDIR);
  }
  return std::unique_ptr<ByteSource>(
      std::make_unique<LocalFileSource>(path, fd, static_cast<int64_t>(st.st_size)));
}

}  // namespace rootbatch
