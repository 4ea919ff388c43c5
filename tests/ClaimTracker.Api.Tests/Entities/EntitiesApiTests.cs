using System.Net;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Tests.Entities;

public sealed class EntitiesApiTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WalkingAllPagesYieldsEveryEntityExactlyOnceInSlugOrder()
    {
        for (var i = 0; i < 3; i++) await AddEntityAsync(EntityKind.Place);

        var listed = await WalkAsync<EntityListItem>("/api/v1/entities?limit=4");

        await using var db = app.CreateDbContext();
        var expected = await db.Entities.OrderBy(e => e.Slug).Select(e => e.Id).ToListAsync(Ct);
        Assert.Equal(expected, listed.Select(e => e.Id));
    }

    [Fact]
    public async Task KindFilterReturnsOnlyEntitiesOfThatKind()
    {
        var court = await AddEntityAsync(EntityKind.Court);

        var listed = await WalkAsync<EntityListItem>("/api/v1/entities?kind=court");

        await using var db = app.CreateDbContext();
        var expected = await db.Entities.Where(e => e.Kind == EntityKind.Court).Select(e => e.Id).ToListAsync(Ct);
        Assert.Equal(expected.Order(), listed.Select(e => e.Id).Order());
        Assert.Contains(listed, e => e.Id == court.Id);
        Assert.All(listed, e => Assert.Equal(EntityKind.Court, e.Kind));
    }

    [Theory]
    [InlineData("zephy")]
    [InlineData("ZEFIRINA")]
    [InlineData("Zefirina S.p")]
    public async Task QMatchesAPrefixOfTheNameOrOfAnyAlias(string q)
    {
        var entity = await AddEntityAsync(EntityKind.Organization, e => (e.Name, e.Aliases) = ("Zephyrine Holdings", ["Zefirina S.p.A."]));

        var listed = await WalkAsync<EntityListItem>($"/api/v1/entities?q={Uri.EscapeDataString(q)}");

        Assert.Contains(listed, e => e.Id == entity.Id);
        Assert.All(listed, e => Assert.True(
            e.Name.StartsWith(q, StringComparison.OrdinalIgnoreCase) || e.Aliases.Any(a => a.StartsWith(q, StringComparison.OrdinalIgnoreCase))));
    }

    [Theory]
    [InlineData("holdings")]
    [InlineData("%")]
    [InlineData("_ephyrine")]
    public async Task QMatchesNeitherInnerWordsNorWildcards(string q)
    {
        await AddEntityAsync(EntityKind.Organization, e => e.Name = "Zephyrine Holdings");

        var page = await app.GetJsonAsync<Page<EntityListItem>>($"/api/v1/entities?q={Uri.EscapeDataString(q)}");

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task SeededSupremeCourtIsFoundByItsItalianAlias()
    {
        var page = await app.GetJsonAsync<Page<EntityListItem>>("/api/v1/entities?q=corte%20suprema");

        var court = Assert.Single(page.Items);
        Assert.Equal(("us-supreme-court", EntityKind.Court), (court.Slug, court.Kind));
        Assert.Contains("Corte Suprema degli Stati Uniti", court.Aliases);
    }

    [Fact]
    public async Task EntityIsAddressedBySlugOrIdWithItsClaimCounts()
    {
        var entity = await AddEntityAsync(EntityKind.Person, e => (e.Aliases, e.Description) = (["Il portavoce"], "A spokesperson."));
        var other = await AddEntityAsync(EntityKind.Organization);
        await AddClaimsAsync(NewClaim(entity), NewClaim(entity), NewClaim(other, claimant: entity));

        var bySlug = await app.GetJsonAsync<EntityDetailResponse>($"/api/v1/entities/{entity.Slug}");
        var byId = await app.GetJsonAsync<EntityDetailResponse>($"/api/v1/entities/{entity.Id}");

        Assert.Equal((entity.Id, entity.Slug, entity.Name, EntityKind.Person, "A spokesperson."),
            (bySlug.Id, bySlug.Slug, bySlug.Name, bySlug.Kind, bySlug.Description));
        Assert.Equal(new[] { "Il portavoce" }, bySlug.Aliases);
        Assert.Equal(new EntityClaimCounts(AsSubject: 2, AsClaimant: 1), bySlug.Claims);
        Assert.Equal((entity.CreatedAt, entity.UpdatedAt), (bySlug.CreatedAt, bySlug.UpdatedAt));
        Assert.Equivalent(bySlug, byId, strict: true);
    }

    [Fact]
    public async Task SeededByteDanceCountsMatchTheDatabase()
    {
        var entity = await app.GetJsonAsync<EntityDetailResponse>("/api/v1/entities/bytedance");

        await using var db = app.CreateDbContext();
        Assert.Equal("ByteDance", entity.Name);
        Assert.Equal(await db.Claims.CountAsync(c => c.Subject.Slug == "bytedance", Ct), entity.Claims.AsSubject);
        Assert.Equal(await db.Claims.CountAsync(c => c.Claimant!.Slug == "bytedance", Ct), entity.Claims.AsClaimant);
        Assert.True(entity.Claims.AsSubject > 0);
    }

    [Theory]
    [InlineData("/api/v1/entities/no-such-entity")]
    [InlineData("/api/v1/entities/0193f4c2-0000-7000-8000-000000000000")]
    [InlineData("/api/v1/entities/no-such-entity/claims")]
    public async Task UnknownEntityReturns404ProblemNotAnEmptyList(string url)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(url, Ct);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Entity not found", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task EntityClaimsListsTheClaimsAboutItByDefault()
    {
        var entity = await AddEntityAsync(EntityKind.Organization);
        var other = await AddEntityAsync(EntityKind.Organization);
        var (about1, about2, made) = (NewClaim(entity), NewClaim(entity), NewClaim(other, claimant: entity));
        await AddClaimsAsync(about1, about2, made);

        var page = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/entities/{entity.Slug}/claims");

        Assert.Equal(new[] { about1.Id, about2.Id }.Order(), page.Items.Select(c => c.Id).Order());
        Assert.All(page.Items, c => Assert.Equal(new EntityRef(entity.Id, entity.Slug, entity.Name), c.Subject));
    }

    [Theory]
    [InlineData("claimant", false, true)]
    [InlineData("any", true, true)]
    [InlineData("subject", true, false)]
    public async Task RoleChoosesClaimsAboutTheEntityOrMadeByIt(string role, bool about, bool made)
    {
        var entity = await AddEntityAsync(EntityKind.Person);
        var other = await AddEntityAsync(EntityKind.Organization);
        var (aboutIt, madeByIt) = (NewClaim(entity), NewClaim(other, claimant: entity));
        await AddClaimsAsync(aboutIt, madeByIt);

        var page = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/entities/{entity.Id}/claims?role={role}");

        Assert.Equal(about, page.Items.Any(c => c.Id == aboutIt.Id));
        Assert.Equal(made, page.Items.Any(c => c.Id == madeByIt.Id));
        Assert.Equal((about ? 1 : 0) + (made ? 1 : 0), page.Items.Count);
    }

    [Fact]
    public async Task EntityClaimsRespectTheClaimFilters()
    {
        var entity = await AddEntityAsync(EntityKind.Organization);
        var (disputed, confirmed) = (NewClaim(entity, ClaimStatus.Disputed), NewClaim(entity, ClaimStatus.Confirmed));
        await AddClaimsAsync(disputed, confirmed);

        var page = await app.GetJsonAsync<Page<ClaimResponse>>($"/api/v1/entities/{entity.Slug}/claims?status=disputed");

        Assert.Equal(disputed.Id, Assert.Single(page.Items).Id);
    }

    [Fact]
    public async Task SeededByteDanceDisputedClaimsMatchTheDatabase()
    {
        var listed = await WalkAsync<ClaimResponse>("/api/v1/entities/bytedance/claims?status=disputed&sort=occurred");

        await using var db = app.CreateDbContext();
        var expected = await db.Claims.Where(c => c.Subject.Slug == "bytedance" && c.Status == ClaimStatus.Disputed)
            .Select(c => c.Id).ToListAsync(Ct);
        Assert.NotEmpty(listed);
        Assert.Equal(expected.Order(), listed.Select(c => c.Id).Order());
    }

    [Fact]
    public async Task WalkingEntityClaimsYieldsEachExactlyOnceInTheListOrder()
    {
        var entity = await AddEntityAsync(EntityKind.Organization);
        var sameInstant = DateTimeOffset.UtcNow.AddHours(-1);
        var claims = Enumerable.Range(0, 5).Select(_ => NewClaim(entity)).ToArray();
        foreach (var claim in claims) claim.UpdatedAt = sameInstant;
        await AddClaimsAsync(claims);

        var listed = await WalkAsync<ClaimResponse>($"/api/v1/entities/{entity.Slug}/claims?limit=2");

        Assert.Equal(claims.Select(c => c.Id).OrderDescending(), listed.Select(c => c.Id));
    }

    [Theory]
    [InlineData("/api/v1/entities?kind=company", "kind")]
    [InlineData("/api/v1/entities?limit=abc", "limit")]
    [InlineData("/api/v1/entities?cursor=bogus", "cursor")]
    [InlineData("/api/v1/entities/bytedance/claims?role=owner", "role")]
    [InlineData("/api/v1/entities/bytedance/claims?status=maybe", "status")]
    [InlineData("/api/v1/entities/bytedance/claims?sort=name", "sort")]
    [InlineData("/api/v1/entities/bytedance/claims?limit=500", "limit")]
    public async Task InvalidParameterIsRejectedNamingIt(string url, string parameter)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(url, Ct);

        await Problems.AssertValidationProblemAsync(response, parameter);
    }

    private async Task<List<T>> WalkAsync<T>(string url)
    {
        var items = new List<T>();
        var separator = url.Contains('?') ? '&' : '?';
        for (var next = url; next is not null;)
        {
            var page = await app.GetJsonAsync<Page<T>>(next);
            items.AddRange(page.Items);
            next = page.NextCursor is null ? null : $"{url}{separator}cursor={Uri.EscapeDataString(page.NextCursor)}";
        }
        return items;
    }

    private async Task<Entity> AddEntityAsync(EntityKind kind, Action<Entity>? arrange = null)
    {
        var now = DateTimeOffset.UtcNow;
        var slug = $"test-entity-{Guid.NewGuid():N}";
        var entity = new Entity { Slug = slug, Name = $"Entity {slug}", Kind = kind, CreatedAt = now, UpdatedAt = now };
        arrange?.Invoke(entity);
        await using var db = app.CreateDbContext();
        db.Entities.Add(entity);
        await db.SaveChangesAsync(Ct);
        // What the database kept (microseconds), as the API will return it.
        return await db.Entities.AsNoTracking().SingleAsync(e => e.Id == entity.Id, Ct);
    }

    private async Task AddClaimsAsync(params Claim[] claims)
    {
        await using var db = app.CreateDbContext();
        db.Claims.AddRange(claims);
        await db.SaveChangesAsync(Ct);
    }

    private static Claim NewClaim(Entity subject, ClaimStatus status = ClaimStatus.Unverified, Entity? claimant = null)
    {
        var now = DateTimeOffset.UtcNow;
        var slug = $"test-claim-{Guid.NewGuid():N}";
        return new Claim
        {
            Slug = slug, Statement = $"Statement of {slug}.", Kind = ClaimKind.Assertion, SubjectId = subject.Id,
            ClaimantId = claimant?.Id, Status = status, CreatedAt = now, UpdatedAt = now,
        };
    }
}
