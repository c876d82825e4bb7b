using System.Globalization;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;

namespace Tailmark.Cli.Commands;

/// <summary>
/// Progress of a grading run on standard error: done/total, judge calls per second, tokens, cost and the time
/// left. On a terminal the line is redrawn in place every half second; otherwise a line is printed every five seconds.
/// </summary>
internal sealed class GradeProgress(int total, Endpoints endpoints, TimeProvider time) : IProgress<GradeOutcome>
{
    private readonly long _started = time.GetTimestamp();
    private int _done;

    /// <summary>One more response graded (or failed), as the batch grader reports it.</summary>
    public void Report(GradeOutcome value) => Interlocked.Increment(ref _done);

    public void Skip() => Interlocked.Increment(ref _done);

    public IDisposable Start(CancellationToken ct)
    {
        var interactive = !Console.IsErrorRedirected;
        var period = interactive ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(5);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period, time);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token)) Write(interactive, final: false);
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }, CancellationToken.None);
        return new Stopper(() =>
        {
            stop.Cancel();
            loop.Wait(TimeSpan.FromSeconds(2));
            Write(interactive, final: true);
            stop.Dispose();
        });
    }

    private void Write(bool interactive, bool final)
    {
        var done = Volatile.Read(ref _done);
        var usage = endpoints.TotalUsage();
        var seconds = Math.Max(0.001, time.GetElapsedTime(_started).TotalSeconds);
        var eta = done == 0 || total < 0 ? "?" : $"{(total - done) * seconds / done:0}s";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"graded {done}/{(total < 0 ? "?" : total)}  judge calls {usage.Calls} ({usage.Calls / seconds:0.0}/s)  retries {usage.Retries}  " +
                $"tokens {usage.PromptTokens + usage.CompletionTokens:#,0}  cost ${usage.Cost:0.0000}  ETA {eta}");
        if (interactive) Console.Error.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 120, 160)) + (final ? "\n"
            : ""));
        else if (!final || done > 0) Console.Error.WriteLine(line);
    }

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}
