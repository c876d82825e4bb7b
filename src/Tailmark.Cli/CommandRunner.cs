using System.CommandLine;
using Spectre.Console;
using Tailmark.Io;
using Tailmark.Llm;

namespace Tailmark.Cli;

/// <summary>
/// Parses and runs a command with Tailmark's exit codes: 0 success, 1 bad input or a failed check, 2 bad
/// usage, 70 internal error, 130 cancelled. Bad input is printed as located issues, never as a stack trace.
/// </summary>
internal static class CommandRunner
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int InternalError = 70;
    public const int Cancelled = 130;

    /// <summary>Reader warnings printed per file before the rest are summed up in one line.</summary>
    private const int MaxWarningsPerFile = 20;

    /// <summary>
    /// The secrets of this run (OPENAI_API_KEY, and the endpoints' keys as they load), masked in every log line on
    /// standard error and in the reasons commands write.
    /// </summary>
    public static SecretRedactor Secrets { get; private set; } = SecretRedactor.FromEnvironment();

    /// <summary>The clock commands read (wall time, progress and its ETA, cache ages, report dates): the system's, or a test's.</summary>
    public static TimeProvider Time { get; internal set; } = TimeProvider.System;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        Secrets = SecretRedactor.FromEnvironment();
        var console = Console.Error;
        using var redacting = new RedactingWriter(console, Secrets);
        Console.SetError(redacting);
        try
        {
            return await RunRedactedAsync(root, args);
        }
        finally
        {
            redacting.Flush();
            Console.SetError(console);
        }
    }

    private static async Task<int> RunRedactedAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run with --help to see the usage.");
            return Usage;
        }
        using var cancel = new CancellationTokenSource();
        // SIGINT (Ctrl-C) and SIGTERM cancel the command's token and leave it time to finish (serve drains its requests);
        // a second signal ends the process at once. System.CommandLine's own handler would exit two seconds after the first.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        });
        Console.CancelKeyPress += onCancel;
        var warned = new Dictionary<string, int>(StringComparer.Ordinal);
        Action<InputIssue> onWarning = issue =>
        {
            lock (warned)
            {
                var n = warned[issue.File] = warned.GetValueOrDefault(issue.File) + 1;
                if (n <= MaxWarningsPerFile) Console.Error.WriteLine(issue);
                else if (n == MaxWarningsPerFile + 1) Console.Error.WriteLine($"{issue.File}: warning: more warnings about this file are not shown");
            }
        };
        InputWarnings.Reported += onWarning;
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
                cancel.Token);
        }
        catch (InputException ex)
        {
            PrintIssues(ex.Issues);
            return Failed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return Cancelled;
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return Usage;
        }
        catch (OutputException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return Failed;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return Failed;
        }
        catch (Exception ex) when (ex is EndpointUnusableException or LlmCallException)
        {
            // An endpoint that cannot serve the command (unreachable, key refused, every call rejected): not a bug.
            Console.Error.WriteLine($"error: {ex.Message}");
            return Failed;
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return Failed;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("TAILMARK_DEBUG") is null)
        {
            // A bug in Tailmark, not bad input: say so plainly; the stack trace is one variable away.
            Console.Error.WriteLine($"internal error: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine("This is a bug in Tailmark. Rerun with TAILMARK_DEBUG=1 for the stack trace and report it.");
            return InternalError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            InputWarnings.Reported -= onWarning;
        }
    }

    public static void PrintIssues(IEnumerable<InputIssue> issues)
    {
        foreach (var issue in issues) Console.Error.WriteLine(issue.ToString());
    }

    /// <summary>The console for tables and summaries (standard output; colour only on a terminal).</summary>
    public static IAnsiConsole Out { get; } = CreateConsole();

    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        // A redirected console has no width; give tables room instead of Spectre's 80-column fallback.
        if (Console.IsOutputRedirected) console.Profile.Width = 160;
        return console;
    }
}
