using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Entities;

/// <summary>The query string of `GET /entities`, as sent.</summary>
public sealed record EntityListQuery
{
    /// <summary>Kind of entity: organization, person, government, court, product or place.</summary>
    /// <example>court</example>
    [FromQuery(Name = "kind")] public string? Kind { get; init; }

    /// <summary>A case-insensitive prefix of the entity's name or of any of its aliases, in any language.</summary>
    /// <example>corte suprema</example>
    [FromQuery(Name = "q")] public string? Q { get; init; }

    /// <summary>Page size, 1–100 (default 20).</summary>
    /// <example>20</example>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    /// <summary>The `nextCursor` of the previous page; opaque.</summary>
    [FromQuery(Name = "cursor")] public string? Cursor { get; init; }

    /// <summary>The only order of the entity list, as its cursors name it.</summary>
    public const string Sort = "slug";

    /// <summary>Parses every parameter; each bad one is named in <paramref name="errors"/>.</summary>
    public EntityFilter Parse(ValidationErrors errors)
    {
        if (Q is { Length: 0 or > 200 }) errors.Add("q", "q must be 1 to 200 characters.");
        var after = Keyset.Decode<string>(Cursor, Sort, IsSlug, errors);
        return new EntityFilter(errors.Enum<EntityKind>("kind", Kind), Q, errors.Limit(Limit), after);
    }

    private static bool IsSlug(string text, out string slug)
    {
        slug = text;
        return text.Length > 0;
    }
}

/// <summary>Parsed and validated filters and page position of `GET /entities`.</summary>
public sealed record EntityFilter(EntityKind? Kind, string? Q, int Limit, After<string>? After)
{
    public IQueryable<Entity> Apply(IQueryable<Entity> entities)
    {
        if (Kind is { } kind) entities = entities.Where(e => e.Kind == kind);
        if (Q is { } q)
        {
            // Case-insensitive prefix of the name or of any alias; the user's own `%`, `_` and `\` match literally.
            var pattern = q.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
            entities = entities.Where(e => EF.Functions.ILike(e.Name, pattern) || e.Aliases.Any(a => EF.Functions.ILike(a, pattern)));
        }
        return entities;
    }

    /// <summary>One page in slug order, continuing strictly after the cursor's slug (slugs are unique).</summary>
    public Task<Page<EntityListItem>> PageAsync(IQueryable<Entity> entities, CancellationToken cancellationToken)
    {
        if (After is { Key: var slug }) entities = entities.Where(e => string.Compare(e.Slug, slug) > 0);
        return Keyset.PageAsync(entities.OrderBy(e => e.Slug).Select(EntityProjections.ToListItem), Limit, EntityListQuery.Sort,
            row => (row.Slug, row.Id), cancellationToken);
    }
}
