using System.Diagnostics;
using System.Globalization;
using Tailmark.Cli.Hosting;
using Tailmark.Judging;

namespace Tailmark.Cli.Commands;

/// <summary>
/// Progress of a grading run on standard error: done/total, judge calls per second, tokens, cost and the time
/// left. On a terminal the line is redrawn in place every half second; otherwise a line is printed every five seconds.
/// </summary>
internal sealed class GradeProgress(int total, Endpoints endpoints)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _done;

    public void Done(GradedResponse _) => Interlocked.Increment(ref _done);

    public void Skip() => Interlocked.Increment(ref _done);

    public IDisposable Start(CancellationToken ct)
    {
        var interactive = !Console.IsErrorRedirected;
        var period = interactive ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(5);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
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
        var seconds = Math.Max(0.001, _clock.Elapsed.TotalSeconds);
        var eta = done == 0 || total < 0 ? "?" : $"{(total - done) * seconds / done:0}s";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"graded {done}/{(total < 0 ? "?" : total)}  judge calls {usage.Calls} ({usage.Calls / seconds:0.0}/s)  retries {usage.Retries}  tokens {usage.PromptTokens + usage.CompletionTokens:#,0}  cost ${usage.Cost:0.0000}  ETA {eta}");
        if (interactive) Console.Error.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 120, 160)) + (final ? "\n" : ""));
        else if (!final || done > 0) Console.Error.WriteLine(line);
    }

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}
