using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Entities;

/// <summary>
/// A new entity: `slug` (lowercase words joined by hyphens, unique), `name`, `kind`, and optionally `aliases`
/// (names in any language, at most 50) and a `description`.
/// </summary>
public sealed partial record CreateEntityRequest(
    [property: Required] string Slug, [property: Required] string Name, [property: Required] EntityKind? Kind, IReadOnlyList<string>? Aliases, string? Description)
{
    public const int MaxAliases = 50;

    /// <summary>Checks every field; each bad one (or alias, as `aliases[i]`) is named in <paramref name="errors"/>.</summary>
    public void Validate(ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(Slug)) errors.Add("slug", "slug is required.");
        else if (Slug.Length > Limits.Slug) errors.Add("slug", $"slug must be at most {Limits.Slug} characters.");
        else if (!SlugPattern().IsMatch(Slug)) errors.Add("slug", "slug is lowercase letters and digits in words joined by single hyphens, e.g. bytedance or us-supreme-court.");
        errors.Text("name", Name, Limits.Name);
        if (Kind is null) errors.Add("kind", "kind is required.");
        if (Description is not null) errors.Text("description", Description, Limits.Description);

        var aliases = Aliases ?? [];
        if (aliases.Count > MaxAliases) errors.Add("aliases", $"At most {MaxAliases} aliases.");
        // Alias search ignores case, so aliases differing only in case would be duplicates.
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < aliases.Count; i++)
        {
            var alias = aliases[i]?.Trim();
            if (string.IsNullOrEmpty(alias)) errors.Add($"aliases[{i}]", "An alias is 1 to 200 characters of text.");
            else if (alias.Length > Limits.Name) errors.Add($"aliases[{i}]", $"An alias is at most {Limits.Name} characters.");
            else if (!seen.TryAdd(alias, i)) errors.Add($"aliases[{i}]", $"Repeats aliases[{seen[alias]}].");
        }
    }

    /// <summary>The row to insert; call after <see cref="Validate"/> passed.</summary>
    public Entity ToEntity(DateTimeOffset now) => new()
    {
        Slug = Slug, Name = Name.Trim(), Kind = Kind!.Value, Aliases = [.. (Aliases ?? []).Select(a => a.Trim())],
        Description = Description?.Trim(), CreatedAt = now, UpdatedAt = now,
    };

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
