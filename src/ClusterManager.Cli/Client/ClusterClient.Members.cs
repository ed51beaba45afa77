using ClusterManager.Api.V1;

namespace ClusterManager.Cli.Client;

/// <summary>
/// The membership calls (<c>MembershipService</c> of proto/clustermanager/v1/members.proto). Every step of a change
/// is idempotent on the cluster side, so an UNAVAILABLE answer during an election is retried like a write.
/// </summary>
internal sealed partial class ClusterClient
{
    /// <summary>The members with their Raft state, as the connected node sees them.</summary>
    public async Task<ListMembersResponse> ListMembersAsync(CancellationToken cancellationToken) =>
        await RetryUnavailableAsync(
            () => new MembershipService.MembershipServiceClient(_channel).ListMembersAsync(new ListMembersRequest(), Options(cancellationToken)).ResponseAsync,
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Records a member (<paramref name="recordOnly"/>: its clusterd asks to be added once it runs) or adds it; the
    /// deadline is <paramref name="limit"/> plus the request timeout (a catch-up may take a while).
    /// </summary>
    public async Task<MemberChangeResponse> AddMemberAsync(string name, string raft, string api, bool recordOnly, TimeSpan limit, CancellationToken cancellationToken)
    {
        var request = new AddMemberRequest
        {
            Name = name, RaftEndpoint = raft, ApiEndpoint = api, RecordOnly = recordOnly, Author = Author, TimeoutSeconds = (int)limit.TotalSeconds,
        };
        return await RetryUnavailableAsync(
            () => new MembershipService.MembershipServiceClient(_channel)
                .AddMemberAsync(request, Options(cancellationToken).WithDeadline(_time.GetUtcNow().UtcDateTime + limit + Endpoint.Timeout)).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a member; its resources may take <paramref name="limit"/> to move away.</summary>
    public async Task<MemberChangeResponse> RemoveMemberAsync(string name, TimeSpan limit, CancellationToken cancellationToken)
    {
        var request = new RemoveMemberRequest { Name = name, Author = Author, TimeoutSeconds = (int)limit.TotalSeconds };
        return await RetryUnavailableAsync(
            () => new MembershipService.MembershipServiceClient(_channel)
                .RemoveMemberAsync(request, Options(cancellationToken).WithDeadline(_time.GetUtcNow().UtcDateTime + limit + Endpoint.Timeout)).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
    }
}
