using ClaimTracker.Api.Auth;
using Microsoft.AspNetCore.Authorization;

namespace ClaimTracker.Api.UnitTests.Auth;

/// <summary>
/// Which endpoints refuse a caller without a key, read from their authorization metadata as `RequireAuthorization`
/// leaves it: the `/api/v1` group's read policy first, then the endpoint's own. Swagger's lock follows this rule.
/// </summary>
public sealed class KeyRequirementTests
{
    private static readonly AuthOptions AnonymousReads = new() { AnonymousReads = true };
    private static readonly AuthOptions KeyedReads = new() { AnonymousReads = false };

    [Fact]
    public void AReadNeedsNoKeyWhileAnonymousReadsAreAllowedAndOneWhenTheyAreOff()
    {
        object[] read = [new AuthorizeAttribute(Policies.Read)];

        Assert.False(Policies.NeedsKey(read, AnonymousReads));
        Assert.True(Policies.NeedsKey(read, KeyedReads));
    }

    [Theory]
    [InlineData(Policies.Edit)]
    [InlineData(Policies.Admin)]
    public void AnOperationOfTheReadGroupThatAlsoNeedsAHigherRoleNeedsAKey(string policy)
    {
        object[] metadata = [new AuthorizeAttribute(Policies.Read), new AuthorizeAttribute(policy)];

        Assert.True(Policies.NeedsKey(metadata, AnonymousReads));
    }

    [Fact]
    public void TheDefaultPolicyRolesAndPolicyObjectsNeedAKey()
    {
        Assert.True(Policies.NeedsKey([new AuthorizeAttribute()], AnonymousReads));
        Assert.True(Policies.NeedsKey([new AuthorizeAttribute(Policies.Read) { Roles = "editor" }], AnonymousReads));
        Assert.True(Policies.NeedsKey([new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()], AnonymousReads));
    }

    [Fact]
    public void AllowAnonymousLetsEveryoneThroughWhateverElseIsRequired()
    {
        object[] metadata = [new AuthorizeAttribute(Policies.Read), new AuthorizeAttribute(Policies.Admin), new AllowAnonymousAttribute()];

        Assert.False(Policies.NeedsKey(metadata, KeyedReads));
    }

    [Fact]
    public void AnEndpointWithoutAuthorizationNeedsNoKeyEvenWhenAnonymousReadsAreOff()
    {
        Assert.False(Policies.NeedsKey(["not authorization metadata"], KeyedReads));
    }
}
