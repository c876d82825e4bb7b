using System.Diagnostics;
using System.Text;

namespace Tailmark.Tests.Support;

/// <summary>
/// A server the tests run as their own child process (PostgreSQL, HAProxy): started with its output kept (the last
/// lines, for the message when it fails), signalled by number, stopped when the test ends. As root, a program that
/// refuses root (PostgreSQL) runs as another user through <c>setpriv</c>, which executes it in place — the child is
/// the server itself, so a signal reaches it and not a wrapper.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts FILE with ARGS in FOLDER, as USER when given and this process is root.</summary>
    public static ChildProcess Start(string file, IEnumerable<string> args, string folder, string? user = null)
    {
        var start = new ProcessStartInfo { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (user is not null && Environment.IsPrivilegedProcess)
        {
            start.FileName = "setpriv";
            foreach (var a in (string[])["--reuid", user, "--regid", user, "--init-groups", "--", file]) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = file;
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start"));
    }

    /// <summary>Runs FILE to its end (at most a minute); its output when it fails.</summary>
    public static void Run(string file, IEnumerable<string> args, string folder, string? user = null)
    {
        using var child = Start(file, args, folder, user);
        if (!child._process.WaitForExit(TimeSpan.FromMinutes(1))) throw new TimeoutException($"{file} did not finish in a minute:\n{child.Output}");
        child._process.WaitForExit();
        if (child._process.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {child._process.ExitCode}:\n{child.Output}");
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What it wrote (its last 200 lines).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Sends signal NAME (INT, TERM, KILL, …) and waits up to TIMEOUT for the exit; true when it exited.</summary>
    public bool Signal(string name, TimeSpan timeout)
    {
        if (_process.HasExited) return true;
        using (var kill = Process.Start("kill", ["-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        return _process.WaitForExit(timeout);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 40_000) _output.Remove(0, _output.Length - 20_000);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}
