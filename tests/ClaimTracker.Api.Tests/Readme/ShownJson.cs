using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClaimTracker.Api.Tests.Readme;

/// <summary>
/// JSON as the README shows it: the fields that matter, `…` for any value (`"id":"…"`, `"score":…`), for more members
/// (`{"slug":"x", …}`), for more items at the end of an array (`[{…}, …]`) and for any text inside a string
/// (`"traceId":"00-…"`). A shown object's members must be in the answer with matching values; the answer may have more.
/// </summary>
public static class ShownJson
{
    private const string AnyValue = "\uE000any";
    private const string MoreItems = "\uE000more";

    /// <summary>Where <paramref name="shown"/> and <paramref name="actual"/> differ, each as "path: expected …, got …".</summary>
    public static List<string> Differences(string shown, JsonElement actual)
    {
        List<string> differences = [];
        Compare(JsonNode.Parse(ToJson(shown)), actual, "$", differences);
        return differences;
    }

    /// <summary>True when <paramref name="actual"/> is <paramref name="shown"/>, a `…` standing for any run of characters.</summary>
    public static bool TextMatches(string shown, string actual) =>
        Regex.IsMatch(actual, "^" + Regex.Escape(shown).Replace("…", ".*", StringComparison.Ordinal) + "$", RegexOptions.Singleline);

    private static void Compare(JsonNode? shown, JsonElement actual, string path, List<string> differences)
    {
        switch (shown)
        {
            case JsonObject members:
                if (actual.ValueKind != JsonValueKind.Object)
                {
                    differences.Add($"{path}: expected an object, got {Abbreviate(actual)}");
                    return;
                }
                foreach (var (name, value) in members)
                {
                    if (name.StartsWith(MoreItems, StringComparison.Ordinal)) continue;
                    if (actual.TryGetProperty(name, out var member)) Compare(value, member, $"{path}.{name}", differences);
                    else differences.Add($"{path}: expected a member \"{name}\", got {Abbreviate(actual)}");
                }
                return;
            case JsonArray items:
                if (actual.ValueKind != JsonValueKind.Array)
                {
                    differences.Add($"{path}: expected an array, got {Abbreviate(actual)}");
                    return;
                }
                var more = items.Count > 0 && items[^1] is JsonValue last && last.TryGetValue<string>(out var text) && text == MoreItems;
                var count = more ? items.Count - 1 : items.Count;
                var length = actual.GetArrayLength();
                if (more ? length < count : length != count)
                {
                    differences.Add($"{path}: expected {(more ? "at least " : "")}{count} items, got {length}: {Abbreviate(actual)}");
                    return;
                }
                for (var i = 0; i < count; i++) Compare(items[i], actual[i], $"{path}[{i}]", differences);
                return;
            case JsonValue value when value.TryGetValue<string>(out var expected):
                if (expected == AnyValue) return;
                if (actual.ValueKind != JsonValueKind.String || !TextMatches(expected, actual.GetString()!))
                {
                    differences.Add($"{path}: expected \"{expected}\", got {Abbreviate(actual)}");
                }
                return;
            case JsonValue number when number.GetValueKind() == JsonValueKind.Number:
                if (actual.ValueKind != JsonValueKind.Number || actual.GetDecimal() != number.GetValue<decimal>())
                {
                    differences.Add($"{path}: expected {number.ToJsonString()}, got {Abbreviate(actual)}");
                }
                return;
            default: // true, false, null
                var kind = shown?.GetValueKind() ?? JsonValueKind.Null;
                if (actual.ValueKind != kind) differences.Add($"{path}: expected {shown?.ToJsonString() ?? "null"}, got {Abbreviate(actual)}");
                return;
        }
    }

    /// <summary>
    /// The shown text as JSON: a bare `…` becomes a member, a value or an item standing for "more" or "anything",
    /// told apart by what surrounds it.
    /// </summary>
    private static string ToJson(string shown)
    {
        var json = new StringBuilder();
        var open = new Stack<char>();
        var inString = false;
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (inString)
            {
                json.Append(c);
                if (c == '\\') json.Append(shown[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    open.Push(c);
                    break;
                case '}' or ']':
                    open.TryPop(out _);
                    break;
                case '…':
                    var before = json.ToString().TrimEnd() is [.., var previous] ? previous : '\0';
                    json.Append(before == ':' ? $"\"{AnyValue}\""
                        : open.TryPeek(out var inside) && inside == '{' ? $"\"{MoreItems}{i}\":null"
                        : $"\"{MoreItems}\"");
                    continue;
            }
            json.Append(c);
        }
        return json.ToString();
    }

    private static string Abbreviate(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
