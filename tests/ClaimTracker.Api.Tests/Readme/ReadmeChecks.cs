using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Tests.Readme;

/// <summary>
/// What a command did against what the README says of it. Every request succeeds (2xx) unless its `# →` names another
/// status (the command's last request); a `# →` shows JSON (fields of the body), slugs (the body's items, in order) or
/// text (lines of the output, in order); a sample under the block shows what its last command printed.
/// </summary>
public static partial class ReadmeChecks
{
    private const int CurlTimedOut = 28;

    /// <summary>Each way <paramref name="run"/> differs from the README, as "README.md:line `command`: what".</summary>
    public static IEnumerable<string> Problems(CommandRun run)
    {
        var command = run.Command;
        var at = $"README.md:{command.Line} `{command}`";
        if (!run.Ran)
        {
            yield return $"{at}: did not run (the examples ran out of time before it).";
            yield break;
        }

        var output = run.Output.Replace("\r\n", "\n", StringComparison.Ordinal);
        var context = $"\n    printed: {Abbreviate(output)}";
        // curl's stderr is its progress meter, unless something went wrong: then it says what
        var failed = $"{context}\n    stderr: {Abbreviate(run.Errors)}";
        if (run.ExitCode != 0 && !(command.Streams && run.ExitCode == CurlTimedOut))
        {
            yield return $"{at}: exited with {run.ExitCode}.{failed}";
        }

        if (command.Requests && run.Exchanges.Count == 0) yield return $"{at}: sent no request.{failed}";
        var status = command.Expectations.Select(e => e.Status).LastOrDefault(s => s is not null);
        for (var i = 0; i < run.Exchanges.Count; i++)
        {
            var exchange = run.Exchanges[i];
            var last = i == run.Exchanges.Count - 1;
            if (last && status is { } expected ? exchange.Status != expected : exchange.Status is < 200 or > 299)
            {
                var wanted = last && status is not null ? status.ToString() : "2xx";
                yield return $"{at}: {exchange.Method} {exchange.Url} answered {exchange.Status}, the README shows {wanted}.{context}";
            }
        }

        var (head, body) = Split(output);
        foreach (var expectation in command.Expectations.Where(e => e.Shown.Length > 0))
        {
            foreach (var difference in Compare(expectation.Shown, head, body, output))
            {
                yield return $"{at}, its `# →` on line {expectation.Line}: {difference}{context}";
            }
        }

        if (command.Sample is { } sample)
        {
            foreach (var difference in CompareSample(sample, head, body, output))
            {
                yield return $"{at}, the sample on line {sample.Line}: {difference}{context}";
            }
        }
    }

    /// <summary>A `# →`: JSON, a list of slugs, or lines of text.</summary>
    private static IEnumerable<string> Compare(string shown, string head, string body, string output)
    {
        if (shown[0] is '{' or '[' or '"') return CompareJson(shown, body);
        if (SlugList().IsMatch(shown) && Parse(body) is { ValueKind: JsonValueKind.Object } page
            && page.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            var slugs = items.EnumerateArray().Select(i => i.TryGetProperty("slug", out var s) ? s.GetString() : null).ToList();
            return string.Join(", ", slugs) == shown ? [] : [$"expected the items {shown}, got {string.Join(", ", slugs)}"];
        }
        return CompareLines(shown, head.Length > 0 ? $"{head}\n\n{body}" : output);
    }

    private static IEnumerable<string> CompareSample(ReadmeSample sample, string head, string body, string output)
    {
        var text = sample.Text.Trim();
        if (text.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            var (shownHead, shownBody) = Split(text);
            if (head.Length == 0) return [$"expected a response with its headers ({shownHead.Split('\n')[0]}), got none"];
            return [.. CompareLines(shownHead, head), .. Compare(shownBody, "", body, body)];
        }
        return sample.Language == "json" || text.StartsWith('{') ? CompareJson(text, body) : CompareLines(text, output);
    }

    private static IEnumerable<string> CompareJson(string shown, string body)
    {
        if (Parse(body) is not { } actual) return [$"expected JSON like {shown}, got no JSON"];
        return ShownJson.Differences(shown, actual);
    }

    /// <summary>Each non-empty shown line must be one of the output's lines, in the same order (`…` is any text).</summary>
    private static IEnumerable<string> CompareLines(string shown, string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimStart('\uFEFF')).ToList();
        var next = 0;
        foreach (var line in shown.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var found = lines.FindIndex(next, l => ShownJson.TextMatches(line, l));
            if (found < 0) return [$"expected a line \"{line}\"{(next > 0 ? " after the lines matched before it" : "")}, found none"];
            next = found + 1;
        }
        return [];
    }

    /// <summary>`curl -i` output as its status line and headers, and its body; other output as no headers and all body.</summary>
    private static (string Head, string Body) Split(string output)
    {
        if (!output.StartsWith("HTTP/", StringComparison.Ordinal)) return ("", output);
        var end = output.IndexOf("\n\n", StringComparison.Ordinal);
        return end < 0 ? (output, "") : (output[..end], output[(end + 2)..]);
    }

    private static JsonElement? Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Abbreviate(string text)
    {
        text = text.Trim();
        return text.Length <= 600 ? text : text[..600] + " …";
    }

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*(, [a-z0-9]+(-[a-z0-9]+)*)*$")]
    private static partial Regex SlugList();
}
