using System.Text.Json;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.ClaimReviews;

/// <summary>`import claimreview FILE`: the import of `POST /imports/claimreview` from a file, on the configured database.</summary>
public static class ClaimReviewCommands
{
    public const string Actor = "import-command";

    /// <summary>Exit codes: 0 every review imported (or unchanged), 1 the file unreadable or not ClaimReview JSON, 2 usage, 3 some rejected.</summary>
    public const int Imported = 0, BadFile = 1, Usage = 2, SomeRejected = 3;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "import";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args is not ["import", "claimreview", var path, ..] || path.StartsWith("--", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync("usage: dotnet run --project src/ClaimTracker.Api -- import claimreview FILE");
            return Usage;
        }

        JsonDocument document;
        try
        {
            await using var file = File.OpenRead(path);
            document = await JsonDocument.ParseAsync(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Cannot read {path}: {e.Message}");
            return BadFile;
        }
        catch (JsonException e)
        {
            await Console.Error.WriteLineAsync($"{path} is not well-formed JSON: {e.Message}");
            return BadFile;
        }

        using (document)
        {
            if (ClaimReviewReader.Items(document.RootElement) is not { } items)
            {
                await Console.Error.WriteLineAsync($"{path} is neither a ClaimReview, an array of them, nor a DataFeed.");
                return BadFile;
            }
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
            var result = await ClaimReviewImport.ImportAsync(db, items, Actor, TimeProvider.System, CancellationToken.None);
            foreach (var item in result.Items)
            {
                var what = item.Claim is { } claim ? claim.Slug : item.Reason;
                Console.WriteLine($"{EnumWords.ToWord(item.Outcome),-9} {item.Url ?? $"(review {item.Index})"}  {what}");
            }
            Console.WriteLine($"{items.Count} reviews: {result.Created} created, {result.Linked} linked, {result.Updated} updated, " +
                              $"{result.Unchanged} unchanged, {result.Rejected} rejected.");
            return result.Rejected > 0 ? SomeRejected : Imported;
        }
    }
}
