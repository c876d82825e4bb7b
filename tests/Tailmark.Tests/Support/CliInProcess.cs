using Tailmark.Cli;

namespace Tailmark.Tests.Support;

/// <summary>
/// Runs the real command tree of <c>tailmark</c> (the same <see cref="CommandRunner"/> and commands as the process)
/// inside the test process, with the console captured: a process start costs more than most runs, and the fuzz
/// tests make thousands. The console is process-wide, so callers belong to a collection that runs alone
/// (<see cref="InProcessCliCollection"/>).
/// </summary>
public static class CliInProcess
{
    private static readonly Lock Gate = new();

    /// <summary>The run's outcome, or null when it did not finish within <paramref name="timeout"/> (a hang).</summary>
    public static CliProcess.Result? Run(TimeSpan timeout, params string[] args)
    {
        lock (Gate)
        {
            var (oldOut, oldError) = (Console.Out, Console.Error);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Console.SetOut(TextWriter.Synchronized(stdout));
            Console.SetError(TextWriter.Synchronized(stderr));
            try
            {
                var run = Task.Run(() => CommandRunner.RunAsync(CliRoot.Create(), args));
                if (!run.Wait(timeout)) return null;
                return new CliProcess.Result(run.Result, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }
}

/// <summary>Tests that capture the process's console; xunit runs this collection on its own.</summary>
[CollectionDefinition(nameof(InProcessCliCollection), DisableParallelization = true)]
public sealed class InProcessCliCollection;
