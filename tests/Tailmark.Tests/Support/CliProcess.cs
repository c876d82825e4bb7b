using System.Diagnostics;

namespace Tailmark.Tests.Support;

/// <summary>Runs the real <c>tailmark</c> CLI as a child process (the built Tailmark.Cli.dll under <c>dotnet</c>).</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
    }

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Tailmark.Cli.dll");

    public static Result Run(params string[] args) => RunIn(null, args);

    public static Result RunIn(string? workingDirectory, params string[] args) => RunWith(workingDirectory, null, args);

    /// <summary>Runs with extra environment variables (an API key, say).</summary>
    public static Result RunWith(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Finish(Start(workingDirectory, environment, args), TimeSpan.FromMinutes(3), $"tailmark {string.Join(' ', args)}");

    /// <summary>Runs any program (an installed tool, a script) to its end, its output kept.</summary>
    public static Result RunProgram(string program, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return Finish(process, timeout, $"{program} {string.Join(' ', args)}");
    }

    private static Result Finish(Process started, TimeSpan timeout, string what)
    {
        using var process = started;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not finish in {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI and leaves it running (its output redirected: read it, or it may block).</summary>
    public static Process Start(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }
}
