namespace ClaimTracker.Api.Http;

/// <summary>Collects validation errors per field/parameter, for a 400 ValidationProblem.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(p => p.Key, p => p.Value.ToArray());

    /// <summary>Parses an optional enum word; records an error naming the allowed words when it is not one.</summary>
    public T? Enum<T>(string field, string? word) where T : struct, System.Enum
    {
        if (word is null) return null;
        if (EnumWords.TryParse<T>(word, out var value)) return value;
        Add(field, $"'{word}' is not one of: {string.Join(", ", EnumWords.All<T>())}.");
        return null;
    }

    /// <summary>Requires non-blank text of at most <paramref name="max"/> characters.</summary>
    public void Text(string field, string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) Add(field, $"{field} is required.");
        else if (text.Length > max) Add(field, $"{field} must be at most {max} characters.");
    }

    /// <summary>Optional text: when present, at most <paramref name="max"/> characters.</summary>
    public void OptionalText(string field, string? text, int max)
    {
        if (text is not null && text.Length > max) Add(field, $"{field} must be at most {max} characters.");
    }

    public DateOnly? Date(string field, string? text)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date)) return date;
        Add(field, $"'{text}' is not a date (YYYY-MM-DD).");
        return null;
    }

    public DateTimeOffset? Time(string field, string? text)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var time)) return time.ToUniversalTime();
        Add(field, $"'{text}' is not an ISO 8601 time (e.g. 2025-01-22T00:00:00Z).");
        return null;
    }

    public int Limit(string? text, int defaultValue = 20, int max = 100)
    {
        if (text is null) return defaultValue;
        if (int.TryParse(text, out var limit) && limit >= 1 && limit <= max) return limit;
        Add("limit", $"limit must be an integer from 1 to {max}.");
        return defaultValue;
    }
}

/// <summary>Problem `type` URIs for the API's own rules; standard statuses keep the framework's RFC 9110 links.</summary>
public static class ProblemTypes
{
    public const string Validation = "https://tools.ietf.org/html/rfc9110#section-15.5.1";
    public const string NotFound = "https://tools.ietf.org/html/rfc9110#section-15.5.5";
    public const string EvidenceRequired = "/problems/evidence-required";
    public const string EvidenceInvalid = "/problems/evidence-invalid";
    public const string QuoteNotFound = "/problems/quote-not-found";
    public const string QuoteAmbiguous = "/problems/quote-ambiguous";
    public const string SlugTaken = "/problems/slug-taken";
    public const string UrlTaken = "/problems/url-taken";
    public const string IdempotencyKeyReused = "/problems/idempotency-key-reused";
    public const string IdempotencyKeyInFlight = "/problems/idempotency-key-in-flight";
    public const string UnknownEntity = "/problems/unknown-entity";
    public const string UnknownClaim = "/problems/unknown-claim";
    public const string PossibleDuplicate = "/problems/possible-duplicate";
    public const string AlreadyADuplicate = "/problems/already-a-duplicate";
    public const string UnknownSource = "/problems/unknown-source";
    public const string PartOfCycle = "/problems/part-of-cycle";
    public const string AppearanceExists = "/problems/appearance-exists";
    public const string SearchTooBroad = "/problems/search-too-broad";
    public const string WriteConflict = "/problems/write-conflict";
    public const string DatabaseUnavailable = "/problems/database-unavailable";
    public const string TooManyItems = "/problems/too-many-items";

    /// <summary>422: a rule of the domain was broken; <paramref name="type"/> names which.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult RuleBroken(string type, string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, type: type, title: title, detail: detail);
}
