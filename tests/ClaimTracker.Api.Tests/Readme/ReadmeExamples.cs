using System.Text;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Tests.Readme;

/// <summary>What the README shows next to a command: `# → [status] [JSON, slugs or text]`, from the line it starts on.</summary>
public sealed record ReadmeExpectation(int Line, int? Status, string Shown);

/// <summary>A fenced block right under an example block (no heading between): what the block's last command prints.</summary>
public sealed record ReadmeSample(int Line, string Language, string Text);

/// <summary>One shell command of an example block, as written (its trailing comment left out), with what the README says it answers.</summary>
public sealed class ReadmeCommand(int line, string text)
{
    public int Line { get; } = line;

    public string Text { get; } = text;

    public List<ReadmeExpectation> Expectations { get; } = [];

    public ReadmeSample? Sample { get; set; }

    /// <summary>`curl -N` follows a stream that never ends by itself: cut after a while, that is its normal end.</summary>
    public bool Streams => Regex.IsMatch(Text, @"\bcurl\s+-N\b");

    public bool Requests => Regex.IsMatch(Text, @"(^|[\s(|;])curl\s");

    public override string ToString() => Text.Split('\n')[0] + (Text.Contains('\n') ? " …" : "");
}

/// <summary>
/// The README's examples: every ```sh or ```bash block with a `curl` in it, split into commands the way bash reads them
/// (a line ending in `\` or inside open quotes goes on), each with its `# →` comments and the sample printed under it.
/// Blocks without `curl` (building, running, Docker) are instructions, not examples.
/// </summary>
public static partial class ReadmeExamples
{
    /// <summary>Where the README says the API listens; a test substitutes its own instance's origin.</summary>
    public const string DocumentedOrigin = "http://localhost:5080";

    public static IReadOnlyList<ReadmeCommand> Parse(string markdown)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        List<ReadmeCommand> commands = [];
        List<ReadmeCommand>? lastBlock = null; // the example block a sample may follow
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#')) lastBlock = null; // a heading: what follows belongs to another topic
            if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;

            var language = lines[i][3..].Trim();
            var first = i + 1;
            var end = first;
            while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal)) end++;
            var body = lines[first..end];
            i = end;

            if (language is "sh" or "bash")
            {
                lastBlock = body.Any(l => !l.TrimStart().StartsWith('#') && CurlWord().IsMatch(l)) ? ParseBlock(body, first + 1) : null;
                if (lastBlock is not null) commands.AddRange(lastBlock);
            }
            else
            {
                if (lastBlock is [.., var last] && language is "" or "json" or "text" or "http")
                {
                    last.Sample = new ReadmeSample(first + 1, language, string.Join('\n', body));
                }
                lastBlock = null;
            }
        }
        return commands;
    }

    /// <summary>The commands of one block; <paramref name="firstLine"/> is the README line number of its first line.</summary>
    private static List<ReadmeCommand> ParseBlock(string[] lines, int firstLine)
    {
        List<ReadmeCommand> commands = [];
        StringBuilder? text = null;
        var start = 0;
        var quote = '\0';
        Pending? open = null; // an expectation whose brackets are not closed yet

        for (var i = 0; i < lines.Length; i++)
        {
            var (line, number) = (lines[i], firstLine + i);
            if (text is null)
            {
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith('#'))
                {
                    var comment = trimmed[1..].Trim();
                    if (open is not null)
                    {
                        open.Shown.Append('\n').Append(comment);
                    }
                    else if (comment.StartsWith('→'))
                    {
                        if (commands.Count == 0) throw new FormatException($"README.md:{number}: a `# →` before any command.");
                        open = new Pending(number, commands[^1], comment[1..].Trim());
                    }
                    open = Close(open);
                    continue;
                }
                open = Close(open, force: true);
                if (trimmed.Length == 0) continue;
                text = new StringBuilder();
                start = number;
            }
            else
            {
                text.Append('\n');
            }

            var (code, trailing, quoteAfter) = Scan(line, quote);
            text.Append(code);
            quote = quoteAfter;
            if (quote != '\0' || code.EndsWith('\\')) continue;

            var command = new ReadmeCommand(start, text.ToString());
            commands.Add(command);
            text = null;
            if (trailing is not null && trailing.StartsWith('→'))
            {
                open = Close(new Pending(number, command, trailing[1..].Trim()));
            }
        }
        Close(open, force: true);
        if (text is not null) throw new FormatException($"README.md:{start}: a command that does not end (an open quote or a trailing `\\`).");
        return commands;
    }

    /// <summary>Records the expectation once its brackets are balanced (or when it can go on no longer); returns what stays open.</summary>
    private static Pending? Close(Pending? expectation, bool force = false)
    {
        if (expectation is null) return null;
        var shown = expectation.Shown.ToString();
        if (!force && Depth(shown) > 0) return expectation;
        if (Depth(shown) != 0) throw new FormatException($"README.md:{expectation.Line}: the brackets of this `# →` do not balance.");
        var status = StatusFirst().Match(shown);
        expectation.Of.Expectations.Add(status.Success
            ? new ReadmeExpectation(expectation.Line, int.Parse(status.Groups[1].Value), shown[status.Length..].Trim())
            : new ReadmeExpectation(expectation.Line, null, shown));
        return null;
    }

    /// <summary>The line's code, its trailing comment (null if none) and the quote still open at its end, as bash reads it.</summary>
    private static (string Code, string? Comment, char Quote) Scan(string line, char quote)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0';
            }
            else if (c == '\\')
            {
                i++;
            }
            else if (quote == '"')
            {
                if (c == '"') quote = '\0';
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return (line[..i].TrimEnd(), line[(i + 1)..].Trim(), quote);
            }
        }
        return (line, null, quote);
    }

    /// <summary>Open `{` and `[` minus closed ones, outside JSON strings.</summary>
    private static int Depth(string text)
    {
        var (depth, inString) = (0, false);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            }
            else if (c == '"') inString = true;
            else if (c is '{' or '[') depth++;
            else if (c is '}' or ']') depth--;
        }
        return depth;
    }

    private sealed class Pending(int line, ReadmeCommand of, string first)
    {
        public int Line { get; } = line;

        public ReadmeCommand Of { get; } = of;

        public StringBuilder Shown { get; } = new(first);
    }

    [GeneratedRegex(@"(^|[\s(|;])curl\s")]
    private static partial Regex CurlWord();

    [GeneratedRegex(@"^([1-5]\d\d)(?=\s|$)")]
    private static partial Regex StatusFirst();
}
