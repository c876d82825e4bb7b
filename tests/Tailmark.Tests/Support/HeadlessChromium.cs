using Microsoft.Playwright;

namespace Tailmark.Tests.Support;

/// <summary>
/// Debian's Chromium, driven headless by Playwright (never a browser Playwright downloads): one browser per test
/// class. The flags keep Chromium off the network it would otherwise try to reach at start.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>TAILMARK_CHROMIUM overrides where the executable is; .ci/run installs Debian's package.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("TAILMARK_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium not found at {ExecutablePath}: install Debian's chromium (apt-get install chromium) or set " +
                $"TAILMARK_CHROMIUM");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }

    /// <summary>What a page showed: console errors, uncaught exceptions, and any request that left the file itself.</summary>
    public sealed record PageLog(List<string> Errors, List<string> Requests);

    /// <summary>Opens a local file and records everything that could mean the page is broken or not self-contained.</summary>
    public async Task<(IPage Page, PageLog Log)> OpenAsync(string file)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var log = new PageLog([], []);
        var url = new Uri(Path.GetFullPath(file)).AbsoluteUri;
        page.Console += (_, m) => { if (m.Type == "error") log.Errors.Add(m.Text); };
        page.PageError += (_, e) => log.Errors.Add(e);
        page.Request += (_, r) => { if (r.Url != url) log.Requests.Add(r.Url); };
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return (page, log);
    }
}
