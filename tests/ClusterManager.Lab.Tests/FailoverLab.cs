using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ClusterManager.Lab.Tests;

/// <summary>Where the seed's stack runs, as seen from outside the cluster.</summary>
/// <param name="VipHolders">Nodes whose eth0 has the virtual IP.</param>
/// <param name="ServedBy">The node whose haproxy answered an HTTP request through the virtual IP (null: no answer).</param>
/// <param name="HaproxyActiveOn">Nodes where haproxy.service is active.</param>
internal sealed record StackState(IReadOnlyList<string> VipHolders, string? ServedBy, IReadOnlyList<string> HaproxyActiveOn)
{
    /// <summary>The one node that holds the virtual IP, serves through it and runs haproxy; null when it is not so.</summary>
    public string? SettledOn => VipHolders is [var holder] && ServedBy == holder && HaproxyActiveOn.SequenceEqual([holder]) ? holder : null;

    public override string ToString() =>
        $"VIP on [{string.Join(",", VipHolders)}], served by {ServedBy ?? "nobody"}, haproxy active on [{string.Join(",", HaproxyActiveOn)}]";
}

/// <summary>A power change of a node made by its BMC (<c>STATE/NODE/boots.log</c>).</summary>
internal sealed record PowerChange(DateTimeOffset At, bool On);

/// <summary>The seed's stack in the lab: hactl, the nodes' haproxy, the BMCs' power records, HTTP through the virtual IP.</summary>
internal static class FailoverLab
{
    public static readonly IPAddress VirtualIp = IPAddress.Parse("198.18.0.100");

    /// <summary>hactl against the lab; throws when it fails (a test's set-up step, not what it checks).</summary>
    public static string Hactl(params string[] arguments)
    {
        var result = LabScript.Lab(["hactl", .. arguments]);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"hactl {string.Join(' ', arguments)}: {result.Describe()}");
    }

    /// <summary>Whether haproxy.service is active in <paramref name="node"/> (false when the node is down).</summary>
    public static bool HaproxyActive(string node) => LabScript.Lab("exec", node, "systemctl", "is-active", "-q", "haproxy.service").ExitCode == 0;

    /// <summary>systemd's invocation id of haproxy.service in <paramref name="node"/>: a new one for every start.</summary>
    public static string HaproxyInvocation(string node) =>
        LabScript.Lab("exec", node, "systemctl", "show", "-p", "InvocationID", "--value", "haproxy.service").Output.Trim();

    /// <summary>
    /// The node's addresses at each start of haproxy since the node booted (the lab's ExecStartPre records them in
    /// <c>/run/cmlab-haproxy-starts</c>), oldest first.
    /// </summary>
    public static IReadOnlyList<string> HaproxyStarts(string node)
    {
        var result = LabScript.Lab("exec", node, "cat", "/run/cmlab-haproxy-starts");
        return result.ExitCode != 0
            ? []
            : result.Output.Split("--\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Power changes the node's BMC made (off, on), oldest first.</summary>
    public static IReadOnlyList<PowerChange> PowerChanges(string node)
    {
        var file = Path.Combine(LabScript.StateDirectory, node, "boots.log");
        return !File.Exists(file)
            ? []
            : [.. File.ReadAllLines(file).Select(l => l.Split(' ')).Where(p => p.Length == 2)
                .Select(p => new PowerChange(FromEpoch(p[0]), p[1] == "on"))];
    }

    /// <summary>Seconds since the epoch with a fraction, as <c>date +%s.%N</c> and bash's EPOCHREALTIME write them.</summary>
    public static DateTimeOffset FromEpoch(string text) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));

    /// <summary>The stack as it is now (the virtual IP's holders from the checker's last sweep).</summary>
    public static async Task<StackState> ObserveAsync(VirtualIpChecker checker, CancellationToken cancellationToken)
    {
        var answer = await HttpProbe.GetAsync(VirtualIp, TimeSpan.FromSeconds(2), cancellationToken);
        var active = LabScript.Nodes.Where(HaproxyActive).ToList();
        return new StackState(checker.Holders(), answer is { Status: 200 } ? answer.Node : null, active);
    }

    /// <summary>Polls the stack until <paramref name="accept"/> holds (or <paramref name="limit"/> passes); returns the last state.</summary>
    public static async Task<StackState> WaitForAsync(VirtualIpChecker checker, Func<StackState, bool> accept, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var state = await ObserveAsync(checker, cancellationToken);
            if (accept(state) || clock.Elapsed > limit)
            {
                return state;
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
