using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;

namespace ClusterManager.Agents.IpAddr;

/// <summary>
/// <c>ocf:clustermanager:IPaddr2</c>: a floating IPv4 or IPv6 address, compatible with the heartbeat agent's
/// parameters. Start checks that no other host answers for the address (ARP probes for IPv4, the kernel's
/// duplicate address detection for IPv6), adds it with iproute2 and announces it (gratuitous ARP or unsolicited
/// neighbour advertisements, <c>arp_count</c> times <c>arp_interval</c> ms apart, in the background unless
/// <c>arp_bg=false</c>); monitor checks that the address is present and its link up; stop removes it.
/// </summary>
public sealed partial class NativeIpAddr2Agent(TimeProvider timeProvider, ILogger<NativeIpAddr2Agent> logger) : IResourceAgent
{
    private const int ProbeCount = 2;
    private static readonly TimeSpan ProbeWait = TimeSpan.FromMilliseconds(150);

    // Background announcements per address, so that a stop ends them (as the heartbeat agent kills send_arp):
    // an announcement after the stop would pull traffic back to this node.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (CancellationTokenSource Stop, Task Task)> _announcing = new();

    public async Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetUtcNow();
        var ticks = timeProvider.GetTimestamp();
        AgentResult Result(OcfExitCode rc, string? reason = null, ExecStatus status = ExecStatus.Done, string output = "") =>
            new(rc, status, reason, output, string.Empty, started, timeProvider.GetElapsedTime(ticks));

        if (request.Action == AgentActions.MetaData)
        {
            return Result(OcfExitCode.Success, output: IpAddr2Metadata.Xml);
        }

        var (parameters, error) = IpAddr2Parameters.Parse(request.Parameters);
        if (parameters is null)
        {
            // As the heartbeat agent: a stop or probe with broken parameters cannot have anything to undo.
            return request.Action == AgentActions.Stop ? Result(OcfExitCode.Success, error)
                : request.IsProbe ? Result(OcfExitCode.NotRunning, error)
                : Result(OcfExitCode.NotConfigured, error);
        }

        using var timeout = new CancellationTokenSource(request.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var ip = new IpCommand(parameters.NetworkNamespace);
            return request.Action switch
            {
                AgentActions.Start => await StartAsync(ip, parameters, request, Result, linked.Token).ConfigureAwait(false),
                AgentActions.Stop => await StopAsync(ip, parameters, Result, linked.Token).ConfigureAwait(false),
                AgentActions.Monitor => await MonitorAsync(ip, parameters, Result, linked.Token).ConfigureAwait(false),
                AgentActions.ValidateAll => await ValidateAsync(ip, parameters, Result, linked.Token).ConfigureAwait(false),
                _ => Result(OcfExitCode.Unimplemented, $"action {request.Action} is not supported by {request.Agent}"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(OcfExitCode.GenericError, $"{request.Action} did not complete within {request.Timeout.TotalMilliseconds:0} ms",
                ExecStatus.Timeout);
        }
        catch (OperationCanceledException)
        {
            return Result(OcfExitCode.GenericError, "operation cancelled", ExecStatus.Cancelled);
        }
        catch (IOException e) when (e.Message.Contains("netns", StringComparison.Ordinal) || e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Result(OcfExitCode.NotConfigured, $"network namespace {parameters.NetworkNamespace} is not usable: {e.Message}");
        }
    }

    private async Task<AgentResult> StartAsync(IpCommand ip, IpAddr2Parameters p, AgentRequest request,
        Func<OcfExitCode, string?, ExecStatus, string, AgentResult> result, CancellationToken cancellationToken)
    {
        var links = await ip.AddressesAsync(cancellationToken).ConfigureAwait(false);
        if (Holder(links, p.Address) is not null)
        {
            return result(OcfExitCode.Success, null, ExecStatus.Done, string.Empty);
        }

        var (link, prefix, problem) = await ResolveAsync(ip, links, p, cancellationToken).ConfigureAwait(false);
        if (link is null)
        {
            return result(problem!.Value.Rc, problem.Value.Reason, ExecStatus.Done, string.Empty);
        }

        if (!link.IsUp)
        {
            return result(OcfExitCode.GenericError, $"interface {link.Name} is down", ExecStatus.Done, string.Empty);
        }

        var mac = link.Mac is { } text ? PhysicalAddress.Parse(text.Replace(':', '-').ToUpperInvariant()) : PhysicalAddress.None;
        if (!p.IsIpv6 && p.RunArping && mac.GetAddressBytes().Length == 6)
        {
            var claimant = await NetworkNamespace.RunAsync(p.NetworkNamespace, () =>
            {
                using var socket = PacketSocket.Open(link.Index, ipv6: false);
                for (var i = 0; i < ProbeCount; i++)
                {
                    socket.SendArpProbe(mac, p.Address);
                    if (socket.ReceiveClaim(p.Address, mac, ProbeWait) is { } other)
                    {
                        return other;
                    }
                }

                return null;
            }).ConfigureAwait(false);
            if (claimant is not null)
            {
                return result(OcfExitCode.GenericError,
                    $"IPv4 address collision {p.Address} [DAD]: {FormatMac(claimant)} already answers for it", ExecStatus.Done, string.Empty);
            }
        }

        var add = await ip.RunAsync(AddArguments(p, link.Name, prefix), cancellationToken).ConfigureAwait(false);
        if (add.ExitCode != 0)
        {
            return result(OcfExitCode.GenericError, $"Failed to add {p.Address}: {add.Error}", ExecStatus.Done, string.Empty);
        }

        if (p.IsIpv6 && !p.NoDad)
        {
            var dad = await WaitForIpv6DadAsync(ip, p, link.Name, prefix, cancellationToken).ConfigureAwait(false);
            if (dad is not null)
            {
                return result(OcfExitCode.GenericError, dad, ExecStatus.Done, string.Empty);
            }
        }

        if (p.ArpCount > 0 && mac.GetAddressBytes().Length == 6)
        {
            await StopAnnouncingAsync(p).ConfigureAwait(false);
            var stop = new CancellationTokenSource();
            var announce = AnnounceAsync(p, link.Index, mac, request.ResourceId.Value, stop.Token);
            _announcing[AnnounceKey(p)] = (stop, announce);
            if (!p.ArpInBackground)
            {
                await announce.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return result(OcfExitCode.Success, null, ExecStatus.Done, string.Empty);
    }

    private async Task<AgentResult> StopAsync(IpCommand ip, IpAddr2Parameters p,
        Func<OcfExitCode, string?, ExecStatus, string, AgentResult> result, CancellationToken cancellationToken)
    {
        await StopAnnouncingAsync(p).ConfigureAwait(false);
        var links = await ip.AddressesAsync(cancellationToken).ConfigureAwait(false);
        if (Holder(links, p.Address) is not { } held)
        {
            return result(OcfExitCode.Success, null, ExecStatus.Done, string.Empty);
        }

        var del = await ip.RunAsync(["addr", "del", $"{p.Address}/{held.Address.PrefixLength}", "dev", held.Link.Name], cancellationToken)
            .ConfigureAwait(false);
        return del.ExitCode == 0
            ? result(OcfExitCode.Success, null, ExecStatus.Done, string.Empty)
            : result(OcfExitCode.GenericError, $"Failed to remove {p.Address}: {del.Error}", ExecStatus.Done, string.Empty);
    }

    private static async Task<AgentResult> MonitorAsync(IpCommand ip, IpAddr2Parameters p,
        Func<OcfExitCode, string?, ExecStatus, string, AgentResult> result, CancellationToken cancellationToken)
    {
        var links = await ip.AddressesAsync(cancellationToken).ConfigureAwait(false);
        if (Holder(links, p.Address) is not { } held)
        {
            return result(OcfExitCode.NotRunning, null, ExecStatus.Done, string.Empty);
        }

        if (held.Address.DadFailed)
        {
            return result(OcfExitCode.GenericError, $"{p.Address} failed duplicate address detection", ExecStatus.Done, string.Empty);
        }

        return held.Link.IsUp
            ? result(OcfExitCode.Success, null, ExecStatus.Done, string.Empty)
            : result(OcfExitCode.GenericError, $"{p.Address} is on {held.Link.Name}, whose link is down", ExecStatus.Done, string.Empty);
    }

    private static async Task<AgentResult> ValidateAsync(IpCommand ip, IpAddr2Parameters p,
        Func<OcfExitCode, string?, ExecStatus, string, AgentResult> result, CancellationToken cancellationToken)
    {
        var links = await ip.AddressesAsync(cancellationToken).ConfigureAwait(false);
        var (link, _, problem) = await ResolveAsync(ip, links, p, cancellationToken).ConfigureAwait(false);
        return link is null
            ? result(problem!.Value.Rc, problem.Value.Reason, ExecStatus.Done, string.Empty)
            : result(OcfExitCode.Success, null, ExecStatus.Done, string.Empty);
    }

    /// <summary>The interface and prefix to use: the given nic, else the one whose route covers the address (findif).</summary>
    private static async Task<(LinkInfo? Link, int Prefix, (OcfExitCode Rc, string Reason)? Problem)> ResolveAsync(
        IpCommand ip, IReadOnlyList<LinkInfo> links, IpAddr2Parameters p, CancellationToken cancellationToken)
    {
        if (p.Nic is { } nic)
        {
            var link = links.FirstOrDefault(l => l.Name == nic);
            return link is null
                ? (null, 0, (OcfExitCode.NotConfigured, $"Unknown interface [{nic}] No such device."))
                : (link, p.PrefixLength ?? (p.IsIpv6 ? 64 : 32), null);
        }

        var best = (await ip.RoutesAsync(p.IsIpv6, cancellationToken).ConfigureAwait(false))
            .Select(r => (Route: r, Network: TryNetwork(r.Destination)))
            .Where(r => r.Network is { } n && r.Route.Device is not null && n.Contains(p.Address))
            .OrderByDescending(r => r.Network!.Value.PrefixLength)
            .FirstOrDefault();
        var found = best.Route.Device is { } dev ? links.FirstOrDefault(l => l.Name == dev) : null;
        return found is null
            ? (null, 0, (OcfExitCode.GenericError, "Unable to find nic or netmask. [findif] failed"))
            : (found, p.PrefixLength ?? best.Network!.Value.PrefixLength, null);
    }

    private static IPNetwork? TryNetwork(string destination) =>
        destination != "default" && IPNetwork.TryParse(destination.Contains('/') ? destination : destination + (destination.Contains(':') ? "/128" : "/32"), out var n)
            ? n : null;

    private static (LinkInfo Link, AddressInfo Address)? Holder(IReadOnlyList<LinkInfo> links, IPAddress address)
    {
        foreach (var link in links)
        {
            foreach (var a in link.Addresses)
            {
                if (IPAddress.TryParse(a.Local, out var local) && local.Equals(address))
                {
                    return (link, a);
                }
            }
        }

        return null;
    }

    private static List<string> AddArguments(IpAddr2Parameters p, string nic, int prefix)
    {
        var args = new List<string> { p.IsIpv6 ? "-6" : "-4", "addr", "add", $"{p.Address}/{prefix}", "dev", nic };
        if (!p.IsIpv6)
        {
            args.AddRange(["broadcast", p.Broadcast ?? "+"]);
            if (p.Label is { } label)
            {
                args.AddRange(["label", $"{nic}:{label}"]);
            }
        }
        else if (p.NoDad)
        {
            args.Add("nodad");
        }

        if (p.PreferredLifetime is { } lft)
        {
            args.AddRange(["preferred_lft", lft]);
        }

        if (p.NoPrefixRoute)
        {
            args.Add("noprefixroute");
        }

        return args;
    }

    private static async Task<string?> WaitForIpv6DadAsync(IpCommand ip, IpAddr2Parameters p, string nic, int prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            var links = await ip.AddressesAsync(cancellationToken).ConfigureAwait(false);
            var held = Holder(links, p.Address);
            if (held is { Address.DadFailed: true })
            {
                await ip.RunAsync(["-6", "addr", "del", $"{p.Address}/{prefix}", "dev", nic], CancellationToken.None).ConfigureAwait(false);
                return $"IPv6 address collision {p.Address} [DAD]";
            }

            if (held is null || !held.Value.Address.Tentative)
            {
                return held is null ? $"{p.Address} vanished from {nic} during duplicate address detection" : null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string AnnounceKey(IpAddr2Parameters p) => $"{p.NetworkNamespace}/{p.Address}";

    private async Task StopAnnouncingAsync(IpAddr2Parameters p)
    {
        if (_announcing.TryRemove(AnnounceKey(p), out var running))
        {
            await running.Stop.CancelAsync().ConfigureAwait(false);
            await running.Task.ConfigureAwait(false);
            running.Stop.Dispose();
        }
    }

    private async Task AnnounceAsync(IpAddr2Parameters p, int ifIndex, PhysicalAddress mac, string resource, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = await NetworkNamespace.RunAsync(p.NetworkNamespace, () => PacketSocket.Open(ifIndex, p.IsIpv6)).ConfigureAwait(false);
            for (var i = 0; i < p.ArpCount; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(p.ArpInterval, timeProvider, cancellationToken).ConfigureAwait(false);
                }

                if (p.IsIpv6)
                {
                    socket.SendUnsolicitedNeighbourAdvertisement(mac, p.Address);
                }
                else
                {
                    socket.SendGratuitousArp(mac, p.Address);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        catch (IOException e)
        {
            LogAnnounceFailed(resource, p.Address.ToString(), e.Message);
        }
    }

    private static string FormatMac(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource}: could not announce {Address}: {Problem}")]
    private partial void LogAnnounceFailed(string resource, string address, string problem);
}
