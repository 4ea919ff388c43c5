using System.Text.RegularExpressions;
using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Readme;

/// <summary>
/// The README tried as a new user tries it: its `curl` blocks run word for word, in the order written, in one bash,
/// against a fresh instance (the real API process on a clone of the seeded database), with the admin key its own
/// `keys create --role admin` command prints. Every `# →` and every sample output under a block must hold, so an
/// example that a README change (or an API change) breaks fails here, naming its line (decision 016).
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryCurlExampleAnswersWhatTheReadmeShows()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), Ct);
        var connectionString = await PostgresServer.Current.CreateDatabaseAsync();
        var adminKey = await CreateAdminKeyAsync(readme, connectionString);
        await using var api = ApiProcess.Start(new Dictionary<string, string>
        {
            ["ConnectionStrings__ClaimTracker"] = connectionString,
            ["ChangeStream__HeartbeatSeconds"] = "1", // the stream sample's keep-alive, within the seconds a stream is followed
            ["Search__StatementTimeoutMs"] = "10000", // a loaded CI machine must not turn a search example into a 422
        });
        var origin = (await api.ListeningAsync(TimeSpan.FromSeconds(60), Ct)).GetLeftPart(UriPartial.Authority);

        // Line numbers stay as they are: the origin is replaced within lines.
        var commands = ReadmeExamples.Parse(readme.Replace(ReadmeExamples.DocumentedOrigin, origin, StringComparison.Ordinal));
        var runs = await ReadmeShell.RunAsync(commands, adminKey, TimeSpan.FromMinutes(3), Ct);

        Assert.True(commands.Count(c => c.Requests) >= 30, $"Only {commands.Count} commands found in the README's curl blocks: is the parser still reading it?");
        Assert.Contains(commands, c => c.Expectations.Count > 0);
        Assert.Contains(commands, c => c.Sample is not null);
        var problems = runs.SelectMany(ReadmeChecks.Problems).ToList();
        Assert.True(problems.Count == 0,
            $"{problems.Count} README example(s) no longer answer what the README shows:\n\n{string.Join("\n\n", problems)}");
    }

    [Fact]
    public void AnExampleThatNoLongerHoldsIsReportedWithItsLineWhatWasShownAndWhatCame()
    {
        var commands = ReadmeExamples.Parse("""
            ## Example

            ```sh
            curl -s "$B/changes/verify"     # → {"checked":18,"valid":true}
            curl -i "$B/claims?limit=500"   # → 400
            curl -s "$B/claims?q=divieto"
            #    → us-law-tiktok-sell-or-ban, tiktok-banned-in-us
            ```

            ```
            retry: 3000
            ```
            """);
        CommandRun Ran(int index, string output, params int[] statuses) =>
            new(commands[index], true, output, 0, [.. statuses.Select(s => new CurlExchange(s, "GET", "http://127.0.0.1/"))], "");

        List<string> problems =
        [
            .. ReadmeChecks.Problems(Ran(0, """{"checked":19,"valid":true,"firstBrokenSeq":null}""", 200)),
            .. ReadmeChecks.Problems(Ran(1, "HTTP/1.1 200 OK\r\n\r\n{}", 200)),
            .. ReadmeChecks.Problems(Ran(2, """{"items":[{"slug":"tiktok-banned-in-us"}]}""", 200)),
        ];

        Assert.Collection(problems,
            p => Assert.StartsWith("README.md:4 `curl -s \"$B/changes/verify\"`, its `# →` on line 4: $.checked: expected 18, got 19", p),
            p => Assert.StartsWith("README.md:5 `curl -i \"$B/claims?limit=500\"`: GET http://127.0.0.1/ answered 200, the README shows 400", p),
            p => Assert.StartsWith("README.md:6 `curl -s \"$B/claims?q=divieto\"`, its `# →` on line 7: expected the items us-law-tiktok-sell-or-ban, tiktok-banned-in-us, got tiktok-banned-in-us", p),
            p => Assert.StartsWith("README.md:6 `curl -s \"$B/claims?q=divieto\"`, the sample on line 11: expected a line \"retry: 3000\", found none", p));
    }

    /// <summary>Runs the README's own `keys create … --role admin` (the way it gives to recover a lost admin key) and returns the key it prints.</summary>
    private static async Task<string> CreateAdminKeyAsync(string readme, string connectionString)
    {
        var command = KeysCreateAdmin().Match(readme);
        Assert.True(command.Success, "The README no longer says how to create an admin key (`-- keys create --name … --role admin`).");
        await using var keys = ApiProcess.Start(
            new Dictionary<string, string> { ["ConnectionStrings__ClaimTracker"] = connectionString },
            command.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, await keys.ExitCodeAsync(TimeSpan.FromSeconds(60), Ct));
        var key = PrintedKey().Match(keys.Output);
        Assert.True(key.Success, $"`{command.Groups[1].Value}` printed no key:\n{keys.Output}");
        return key.Value;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClaimTracker.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("The repository root (ClaimTracker.sln) is not above the test's output folder.");
    }

    [GeneratedRegex(@"dotnet run --project src/ClaimTracker\.Api -- (keys create [^\n`]*--role admin)")]
    private static partial Regex KeysCreateAdmin();

    [GeneratedRegex(@"(?m)^ct_[A-Za-z0-9_-]+$")]
    private static partial Regex PrintedKey();
}
