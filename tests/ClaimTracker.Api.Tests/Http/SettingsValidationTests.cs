using System.Diagnostics;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>
/// A bad setting stops the real process at start-up with one line naming it and exit code 1, before any database is
/// touched: the API is run as built (its app host beside the tests), configured through environment variables.
/// </summary>
public sealed class SettingsValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Http__MaxRequestBodyBytes", "0", "Http:MaxRequestBodyBytes must be at least 1.")]
    [InlineData("Http__MaxRequestBodyBytes", "a lot", "'a lot' at 'Http:MaxRequestBodyBytes'")]
    [InlineData("RateLimiting__PermitsPerMinute", "0", "RateLimiting:PermitsPerMinute must be at least 1.")]
    [InlineData("ChangeStream__HeartbeatSeconds", "7200", "ChangeStream:HeartbeatSeconds must be 1–3600.")]
    [InlineData("Search__StatementTimeoutMs", "-5", "Search:StatementTimeoutMs must be at least 1.")]
    [InlineData("ClaimReview__ClaimUrlTemplate", "claims/{slug}", "ClaimReview:ClaimUrlTemplate must be an absolute URL")]
    [InlineData("Auth__BootstrapAdminKey", "too-short", "Auth:BootstrapAdminKey must be at least 20 characters.")]
    public async Task ABadSettingStopsStartUpWithOneLineNamingIt(string variable, string value, string message)
    {
        var (exitCode, output) = await RunApiAsync(new() { [variable] = value });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("Invalid configuration:", StringComparison.Ordinal));
        Assert.Contains(message, line);
        Assert.DoesNotContain("   at ", output); // no stack trace
        Assert.DoesNotContain("database", output, StringComparison.OrdinalIgnoreCase); // stopped before reaching for it
    }

    [Fact]
    public async Task EveryBadSettingIsNamedAtOnce()
    {
        var (exitCode, output) = await RunApiAsync(new() { ["Search__StatementTimeoutMs"] = "0", ["RateLimiting__AnonymousPermitsPerMinute"] = "0" });

        Assert.Equal(1, exitCode);
        Assert.Contains("Search:StatementTimeoutMs", output);
        Assert.Contains("RateLimiting:AnonymousPermitsPerMinute", output);
    }

    private static async Task<(int ExitCode, string Output)> RunApiAsync(Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ClaimTracker.Api.exe" : "ClaimTracker.Api"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        // Were validation skipped, this database (nothing listens on port 1) would fail within a second, naming the database.
        start.Environment["ConnectionStrings__ClaimTracker"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing";
        start.Environment["Database__StartupTimeoutSeconds"] = "1";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
