using System.Globalization;
using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Claims;

namespace ClaimTracker.Api.ClaimPages;

/// <summary>The words the page shows for the contract's enum words, as the dashboard does (wwwroot/app.js).</summary>
public static class PageWords
{
    public static string Status(ClaimStatus status) => status switch
    {
        ClaimStatus.Unverified => "Unverified",
        ClaimStatus.InReview => "In review",
        ClaimStatus.Confirmed => "Confirmed",
        ClaimStatus.Disputed => "Disputed",
        ClaimStatus.Inconclusive => "Inconclusive",
        ClaimStatus.Refuted => "Refuted",
        ClaimStatus.Retracted => "Retracted",
        _ => status.ToString(),
    };

    /// <summary>What a stance means (DESIGN §1), after its word.</summary>
    public static string StanceMeaning(Stance stance) => stance switch
    {
        Stance.Asserts => "the source makes the claim itself",
        Stance.Reports => "the source relays it from others",
        Stance.Supports => "evidence for it",
        Stance.Disputes => "evidence against it",
        Stance.Denies => "the subject says it is false",
        Stance.Retracts => "the source withdraws it",
        _ => "",
    };

    /// <summary>`italiano` for `it`, in its own language; the tag itself when this machine does not know it.</summary>
    public static string LanguageName(string tag)
    {
        try
        {
            var culture = CultureInfo.GetCultureInfo(tag, predefinedOnly: true);
            return culture.NativeName.Length > 0 ? culture.NativeName : tag;
        }
        catch (CultureNotFoundException)
        {
            return tag;
        }
    }

    public static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
