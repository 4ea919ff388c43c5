using System.Collections.Frozen;
using System.Text.Json;

namespace ClaimTracker.Api.Http;

/// <summary>Enum values as the contract's lower_snake words (`in_review`, `social_post`), in JSON, SQL and query strings.</summary>
public static class EnumWords
{
    public static string ToWord<T>(T value) where T : struct, Enum => Cache<T>.Words[value];

    public static bool TryParse<T>(string? word, out T value) where T : struct, Enum =>
        Cache<T>.Values.TryGetValue(word ?? "", out value);

    public static T Parse<T>(string word) where T : struct, Enum =>
        TryParse<T>(word, out var value) ? value : throw new FormatException($"'{word}' is not a {typeof(T).Name}.");

    public static IReadOnlyCollection<string> All<T>() where T : struct, Enum => Cache<T>.Words.Values;

    private static class Cache<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Words =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

        public static readonly FrozenDictionary<string, T> Values =
            Words.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
