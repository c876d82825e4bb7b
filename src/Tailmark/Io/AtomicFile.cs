namespace Tailmark.Io;

/// <summary>
/// A file written under a temporary name and moved over the target only when <c>commit</c> is called, so
/// readers never see a partial file and a crash leaves the previous version intact.
/// </summary>
public static class AtomicFile
{
    public static Stream Create(string path, out Action commit)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var stream = new CommitStream(new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), temp, full);
        commit = stream.Commit;
        return stream;
    }

    private sealed class CommitStream(FileStream inner, string temp, string target) : Stream
    {
        private bool _commit;
        private bool _finished;

        public void Commit() => _commit = true;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override void WriteByte(byte value) => inner.WriteByte(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing) Finish();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.FlushAsync().ConfigureAwait(false);
            Finish();
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private void Finish()
        {
            if (_finished) return;
            _finished = true;
            if (!inner.SafeFileHandle.IsClosed)
            {
                inner.Flush();
                inner.Dispose();
            }
            if (_commit) File.Move(temp, target, overwrite: true);
            else if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
