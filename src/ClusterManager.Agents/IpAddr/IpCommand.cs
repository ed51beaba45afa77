using System.Diagnostics;
using System.Text.Json;

namespace ClusterManager.Agents.IpAddr;

/// <summary>The result of one <c>ip</c> invocation.</summary>
internal sealed record IpOutcome(int ExitCode, string Output, string Error);

/// <summary>
/// iproute2's <c>ip</c>, optionally in a named network namespace (<c>ip -n NAME</c>). The native agent uses it
/// rather than hand-built rtnetlink messages: it is on every node already (Debian's iproute2, required by the
/// heartbeat agents too), its JSON output (<c>-j</c>) is stable, and one call costs a few milliseconds.
/// </summary>
internal sealed class IpCommand(string? networkNamespace)
{
    public string? Namespace => networkNamespace;

    public async Task<IpOutcome> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (!string.IsNullOrEmpty(networkNamespace))
        {
            psi.ArgumentList.Add("-n");
            psi.ArgumentList.Add(networkNamespace);
        }

        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("ip did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return new IpOutcome(process.ExitCode, await output.ConfigureAwait(false), (await error.ConfigureAwait(false)).Trim());
    }

    /// <summary>All links with their addresses (<c>ip -j addr show</c>).</summary>
    public async Task<IReadOnlyList<LinkInfo>> AddressesAsync(CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(["-j", "addr", "show"], cancellationToken).ConfigureAwait(false);
        if (outcome.ExitCode != 0)
        {
            throw new IOException($"ip addr show failed: {outcome.Error}");
        }

        return LinkInfo.ParseAll(outcome.Output);
    }

    /// <summary>Routes of one family in the main table (<c>ip -j -4|-6 route show</c>).</summary>
    public async Task<IReadOnlyList<(string Destination, string? Device)>> RoutesAsync(bool ipv6, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(["-j", ipv6 ? "-6" : "-4", "route", "show"], cancellationToken).ConfigureAwait(false);
        if (outcome.ExitCode != 0)
        {
            throw new IOException($"ip route show failed: {outcome.Error}");
        }

        using var doc = JsonDocument.Parse(outcome.Output.Length == 0 ? "[]" : outcome.Output);
        return [.. doc.RootElement.EnumerateArray().Select(r => (
            r.GetProperty("dst").GetString() ?? string.Empty,
            r.TryGetProperty("dev", out var dev) ? dev.GetString() : null))];
    }
}

/// <summary>One address of a link.</summary>
internal sealed record AddressInfo(string Family, string Local, int PrefixLength, bool Tentative, bool DadFailed);

/// <summary>A link as <c>ip -j addr show</c> reports it.</summary>
internal sealed record LinkInfo(int Index, string Name, string? Mac, string OperState, IReadOnlyList<string> Flags, IReadOnlyList<AddressInfo> Addresses)
{
    /// <summary>The link is administratively up and has carrier.</summary>
    public bool IsUp => Flags.Contains("UP") && Flags.Contains("LOWER_UP");

    public static IReadOnlyList<LinkInfo> ParseAll(string json)
    {
        using var doc = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        return [.. doc.RootElement.EnumerateArray()
            .Where(l => l.TryGetProperty("ifname", out _))
            .Select(l => new LinkInfo(
                l.GetProperty("ifindex").GetInt32(),
                l.GetProperty("ifname").GetString()!,
                l.TryGetProperty("address", out var mac) ? mac.GetString() : null,
                l.TryGetProperty("operstate", out var state) ? state.GetString() ?? "UNKNOWN" : "UNKNOWN",
                l.TryGetProperty("flags", out var flags) ? [.. flags.EnumerateArray().Select(f => f.GetString() ?? string.Empty)] : [],
                l.TryGetProperty("addr_info", out var addrs)
                    ? [.. addrs.EnumerateArray().Where(a => a.TryGetProperty("local", out _)).Select(a => new AddressInfo(
                        a.GetProperty("family").GetString() ?? string.Empty,
                        a.GetProperty("local").GetString() ?? string.Empty,
                        a.GetProperty("prefixlen").GetInt32(),
                        a.TryGetProperty("tentative", out var t) && t.ValueKind == JsonValueKind.True,
                        a.TryGetProperty("dadfailed", out var d) && d.ValueKind == JsonValueKind.True))]
                    : []))];
    }
}
