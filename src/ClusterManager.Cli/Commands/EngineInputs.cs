using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using Grpc.Core;

namespace ClusterManager.Cli.Commands;

/// <summary>
/// The engine inputs the cluster kept (<c>pe-input-N.xml</c>, numbered per node that led, as Pacemaker numbers
/// them per DC), fetched for <c>hactl simulate --replay</c>: from one named member, or the leader first and then
/// every other member.
/// </summary>
internal static class EngineInputs
{
    private static readonly TimeSpan MemberTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An engine input and the member it came from.</summary>
    public sealed record Fetched(long Number, string Xml, string Member);

    /// <summary>What one member keeps, or why it could not say.</summary>
    public sealed record Kept(string Member, bool IsLeader, IReadOnlyList<long> Numbers, string? Problem);

    /// <summary>
    /// Input <paramref name="number"/> (0: the newest) of <paramref name="member"/>, or of the first member that keeps it
    /// (the leader first); otherwise a null input and a problem naming where it was looked for.
    /// </summary>
    public static async Task<(Fetched? Input, string? Problem)> FetchAsync(
        ClusterClient client, long number, string? member, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var problems = new List<string>();
        foreach (var (name, endpoint) in await CandidatesAsync(client, member, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                using var other = endpoint is null ? null : client.WithAddress(endpoint, MemberTimeout);
                var answer = await (other ?? client).GetEngineInputAsync(number, cancellationToken).ConfigureAwait(false);
                return (new Fetched(answer.Number, answer.CibXml, name), null);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                problems.Add($"{name}: {e.Status.Detail}");
            }
        }

        var what = number == 0 ? "no engine input" : $"engine input {number}";
        return (null, problems.Count == 0
            ? $"{what} found: the cluster lists no member{(member is null ? "" : $" named '{member}'")}"
            : $"{what} is not kept on {(member ?? "any member")}: {string.Join("; ", problems)}");
    }

    /// <summary>What every member keeps (the leader first).</summary>
    public static async Task<IReadOnlyList<Kept>> ListAsync(ClusterClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var status = await client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Kept>();
        foreach (var m in Ordered(status))
        {
            try
            {
                using var other = m.IsLocal ? null : client.WithAddress(m.ApiEndpoint, MemberTimeout);
                var answer = await (other ?? client).GetEngineInputAsync(0, cancellationToken).ConfigureAwait(false);
                list.Add(new Kept(m.Name, m.IsLeader, [.. answer.Kept], null));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                list.Add(new Kept(m.Name, m.IsLeader, [], null));
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                list.Add(new Kept(m.Name, m.IsLeader, [], e.Status.Detail));
            }
        }

        return list;
    }

    /// <summary>Writes <see cref="ListAsync"/>'s answer: one line per member with the range it keeps.</summary>
    public static void WriteList(TextWriter writer, IReadOnlyList<Kept> kept)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(kept);
        foreach (var k in kept)
        {
            var name = k.IsLeader ? $"{k.Member} (leader)" : k.Member;
            var what = k.Problem is not null ? $"unreachable: {k.Problem}"
                : k.Numbers.Count == 0 ? "keeps no engine input"
                : $"keeps {k.Numbers.Count}: {k.Numbers[0]}..{k.Numbers[^1]}";
            writer.Write($"{name}: {what}\n");
        }
    }

    // (name, endpoint) to ask in turn; a null endpoint is the node the client is connected to.
    private static async Task<IReadOnlyList<(string Name, string? Endpoint)>> CandidatesAsync(
        ClusterClient client, string? member, CancellationToken cancellationToken)
    {
        var status = await client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return [.. Ordered(status)
            .Where(m => member is null || m.Name == member)
            .Select(m => (m.Name, m.IsLocal ? null : (string?)m.ApiEndpoint))];
    }

    private static IEnumerable<Member> Ordered(GetStatusResponse status) =>
        status.Members.OrderByDescending(m => m.IsLeader).ThenByDescending(m => m.IsLocal).ThenBy(m => m.Name, StringComparer.Ordinal);
}
