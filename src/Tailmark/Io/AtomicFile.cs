namespace Tailmark.Io;

/// <summary>
/// A stream onto a <see cref="StagedFile"/>, moved over the target when disposed after <c>commit</c> was called, so
/// readers never see a partial file and a failure (an exception, a full disk, a cancellation) leaves the previous
/// version intact and no temporary file behind.
/// </summary>
public static class AtomicFile
{
    public static Stream Create(string path, out Action commit)
    {
        StagedFile staged;
        try
        {
            staged = StagedFile.For(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputException(path, ex);
        }
        try
        {
            var stream = new CommitStream(new FileStream(staged.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), staged);
            commit = stream.Commit;
            return stream;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            staged.Dispose();
            throw new OutputException(path, ex);
        }
    }

    private sealed class CommitStream(FileStream inner, StagedFile staged) : Stream
    {
        private bool _commit;
        private bool _finished;

        public void Commit() => _commit = true;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => Guard(inner.Flush);
        public override Task FlushAsync(CancellationToken cancellationToken) => GuardAsync(() => new ValueTask(inner.FlushAsync(cancellationToken))).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Guard(() => inner.Write(buffer, offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (IOException ex) when (ex is not OutputException)
            {
                throw new OutputException(staged.Target, ex);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            GuardAsync(() => inner.WriteAsync(buffer, cancellationToken));
        public override void WriteByte(byte value) => Guard(() => inner.WriteByte(value));

        // A write that fails (a full disk shows on a write or a flush) names the file the user asked for.
        private void Guard(Action write)
        {
            try
            {
                write();
            }
            catch (IOException ex) when (ex is not OutputException)
            {
                throw new OutputException(staged.Target, ex);
            }
        }

        private async ValueTask GuardAsync(Func<ValueTask> write)
        {
            try
            {
                await write().ConfigureAwait(false);
            }
            catch (IOException ex) when (ex is not OutputException)
            {
                throw new OutputException(staged.Target, ex);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) Finish();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            Finish();
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private void Finish()
        {
            if (_finished) return;
            _finished = true;
            try
            {
                // Flushing the last buffer is where a full disk shows; the staged file is then discarded, not committed.
                Guard(inner.Dispose);
                if (_commit) Guard(staged.Commit);
            }
            finally
            {
                staged.Dispose();
            }
        }
    }
}
