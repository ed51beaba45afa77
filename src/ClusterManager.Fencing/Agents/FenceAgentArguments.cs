using System.Collections.Immutable;
using System.Text;
using ClusterManager.Model;

namespace ClusterManager.Fencing.Agents;

/// <summary>
/// The stdin arguments of the fence-agent standard, built the way Pacemaker's fencer builds them
/// (<c>st_actions.c: make_args</c>): <c>action=</c>, then for an operation against a node <c>nodename=</c> and
/// the host argument(s), then every device parameter (no <c>pcmk_*</c>). One <c>key=value</c> line each.
/// </summary>
public static class FenceAgentArguments
{
    /// <summary>
    /// Builds the arguments for <paramref name="agentAction"/> on <paramref name="device"/>, against
    /// <paramref name="target"/> when given. The host argument is <c>pcmk_host_argument</c> (<c>none</c>: not
    /// passed); by default both <c>port=</c> (Pacemaker 2.1) and <c>plug=</c> (Pacemaker 3) are passed, each only
    /// when the device does not set that parameter itself (or sets it to <c>dynamic</c>). The value is the
    /// target's <c>pcmk_host_map</c> entry, else its name. Device parameters follow in ordinal order.
    /// Throws <see cref="ArgumentException"/> when a name or value cannot be written as one stdin line.
    /// </summary>
    public static ImmutableArray<KeyValuePair<string, string>> Build(FenceDevice device, string agentAction, NodeName? target)
    {
        ArgumentNullException.ThrowIfNull(device);
        var result = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        result.Add(new("action", agentAction));
        var hostArguments = new HashSet<string>(StringComparer.Ordinal);
        if (target is { } node)
        {
            result.Add(new("nodename", node.Value));
            string[] names = device.HostArgument switch
            {
                null => ["port", "plug"],
                "none" => [],
                var name => [name],
            };
            foreach (var name in names)
            {
                if (!device.Parameters.TryGetValue(name, out var configured) || configured == "dynamic")
                {
                    result.Add(new(name, device.PortFor(node)));
                    hostArguments.Add(name);
                }
            }
        }

        foreach (var (name, value) in device.Parameters)
        {
            if (name is "action" or "nodename" || hostArguments.Contains(name))
            {
                continue;
            }

            result.Add(new(name, value));
        }

        var built = result.ToImmutable();
        foreach (var (name, value) in built)
        {
            Validate(device.Id.Value, name, value);
        }

        return built;
    }

    /// <summary>The bytes Pacemaker writes to the agent's stdin: one <c>key=value\n</c> per argument.</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string>> arguments)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in arguments)
        {
            text.Append(name).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the device and parameter that cannot be a stdin line.</summary>
    public static void Validate(string device, string name, string value)
    {
        if (name.Length == 0 || name.Any(c => c is '=' or '\n' or '\r' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException(
                $"fence device '{device}': parameter name '{name}' is empty or contains '=', whitespace or a newline");
        }

        if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException($"fence device '{device}': the value of '{name}' contains a newline");
        }
    }
}
