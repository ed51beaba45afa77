using System.Net;
using System.Net.Sockets;
using ClusterManager.Api.V1;
using Grpc.Core;

namespace ClusterManager.Cli.Commands.Host;

/// <summary>
/// <c>hactl host auth</c> and <c>hactl host deauth</c> (pcs host auth/deauth): obtain a token from each node's host
/// agent with a local account, pin the agent's certificate on first contact, keep both in the known-hosts file.
/// </summary>
internal static class HostCommands
{
    private const string AuthUsage = """
        Usage: hactl host auth (NODE [addr=IP[:PORT]])... [-u USER] [-p PASSWORD] [--request-timeout SEC]

        Authenticates to the host agent (clusterd-host, port 2224) of each node with a local account of that node:
        hacluster or a member of group haclient, checked with PAM there (set its password with 'passwd hacluster').
        The tokens the agents return are kept in the known-hosts file (mode 0600): /var/lib/clusterd-host/known-hosts
        for root, ~/.config/clustermanager/known-hosts for others, $HACTL_KNOWN_HOSTS if set. Then
        'hactl cluster setup', 'cluster start|stop|enable|disable --all' and 'cluster destroy --all' reach the nodes.

          addr=IP[:PORT]   the node's address (default port 2224). Node names are never looked up in DNS: without
                           addr= the node name must itself be an IP address.
          -u USER          default: asked on a terminal, else hacluster
          -p PASSWORD      default: asked on a terminal (not echoed); required without a terminal

        Trust on first use: the agent's certificate is self-signed; its SHA-256 fingerprint is printed and pinned
        the first time. Compare it with the agent's log on the node (journalctl -u clusterd-host | grep SHA-256).
        A node whose fingerprint changes later is refused; after reinstalling a node, run 'hactl host deauth NODE'
        and authenticate again.
        """;

    private const string DeauthUsage = """
        Usage: hactl host deauth [NODE...]

        Forgets the tokens of the given nodes (of all nodes when none is given) and asks their host agents to
        revoke them (a node that cannot be reached keeps the token until 'rm /var/lib/clusterd-host/tokens' there).
        """;

    /// <summary>Every command of this family.</summary>
    public static IEnumerable<CommandDefinition> All =>
    [
        new(["host", "auth"], "authenticate to the nodes' host agents (tokens, pinned certificates)", AuthUsage, AuthAsync),
        new(["host", "deauth"], "forget (and revoke) the tokens of nodes", DeauthUsage, DeauthAsync),
        new(["cluster", "auth"], "pcs 0.9's name of 'host auth' (deprecated)", AuthUsage, (context, ct) =>
        {
            context.Error.Write("Warning: 'cluster auth' is pcs 0.9 syntax; use 'host auth NODE [addr=IP]... -u USER -p PASSWORD'\n");
            return AuthAsync(context, ct);
        }),
    ];

    /// <summary>One node of <c>host auth</c>: its name and where its agent listens.</summary>
    internal sealed record AuthTarget(string Name, IPAddress Address, int Port);

    /// <summary>Parses <c>(NODE [addr=IP[:PORT]])...</c>.</summary>
    /// <exception cref="UsageException">A node is malformed, has no IP address, or is named twice.</exception>
    internal static IReadOnlyList<AuthTarget> ParseTargets(ArgumentCursor args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var targets = new List<AuthTarget>();
        while (!args.AtEnd)
        {
            var name = args.Take("node name");
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
            {
                throw new UsageException($"'{name}': a node name is expected before addr=");
            }

            if (name.StartsWith('-'))
            {
                throw new UsageException($"unknown option '{name}'");
            }

            AuthTarget? target = null;
            foreach (var (key, value) in args.TakeNameValues())
            {
                if (key != "addr")
                {
                    throw new UsageException($"node {name}: unknown option '{key}' (only addr=IP[:PORT])");
                }

                if (target is not null)
                {
                    throw new UsageException($"node {name}: addr= is given more than once");
                }

                var (address, port) = ParseAddress(name, value);
                target = new AuthTarget(name, address, port);
            }

            if (target is null)
            {
                target = IPAddress.TryParse(name, out var literal)
                    ? new AuthTarget(name, literal, HostAgentClient.DefaultPort)
                    : throw new UsageException($"node {name}: give addr=IP (hactl never looks node names up in DNS)");
            }

            if (targets.Any(t => t.Name == name))
            {
                throw new UsageException($"node {name} is given more than once");
            }

            targets.Add(target);
        }

        if (targets.Count == 0)
        {
            throw new UsageException("give at least one node: NODE addr=IP");
        }

        return targets;
    }

    /// <summary><c>IP</c>, <c>IP:PORT</c>, <c>[IPv6]:PORT</c> or a bare IPv6 address.</summary>
    internal static (IPAddress Address, int Port) ParseAddress(string node, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IPAddress.TryParse(value, out var address) && (address.AddressFamily == AddressFamily.InterNetworkV6 ? !value.StartsWith('[') : !value.Contains(':', StringComparison.Ordinal)))
        {
            return (address, HostAgentClient.DefaultPort);
        }

        if (IPEndPoint.TryParse(value, out var endPoint) && endPoint.Port > 0 && (value.Contains("]:", StringComparison.Ordinal) || value.Count(c => c == ':') == 1))
        {
            return (endPoint.Address, endPoint.Port);
        }

        throw new UsageException($"node {node}: addr={value} is not an IP address or IP:PORT (hactl never looks names up in DNS)");
    }

    private static async Task<int> AuthAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var user = args.TakeOption("-u", "--user");
        var password = args.TakeOption("-p", "--password");
        var timeout = HostTargets.Timeout(args);
        var targets = ParseTargets(args);
        if (user is null)
        {
            user = context.Host.IsInteractive ? Ask(context, "Username: ", secret: false) : "hacluster";
        }

        if (password is null)
        {
            password = context.Host.IsInteractive
                ? Ask(context, "Password: ", secret: true)
                : throw new UsageException("-p PASSWORD is needed (no terminal to ask for it)");
        }

        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            throw new UsageException("the user name and the password must not be empty");
        }

        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        var outcomes = await Task.WhenAll(targets.Select(t => AuthOneAsync(t, known.Hosts.GetValueOrDefault(t.Name), user, password, timeout, cancellationToken))).ConfigureAwait(false);
        foreach (var (target, outcome, host) in outcomes)
        {
            if (host is not null)
            {
                known = known.With(target.Name, host);
            }

            if (outcome.Succeeded)
            {
                context.Out.Write($"{target.Name}: Authorized\n");
                context.Out.Write($"{target.Name}: {outcome.Message}\n");
            }
            else
            {
                context.Error.Write($"error: {outcome.Message}\n");
            }
        }

        if (outcomes.Any(o => o.Host is not null))
        {
            try
            {
                known.Save(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                context.Error.Write($"error: cannot write the known-hosts file {path}: {e.Message}\n");
                return ExitCodes.Failure;
            }
        }

        return outcomes.All(o => o.Outcome.Succeeded) ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static async Task<(AuthTarget Target, NodeOutcome Outcome, KnownHost? Host)> AuthOneAsync(
        AuthTarget target, KnownHost? previous, string user, string password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var address = target.Address.ToString();

        // The same agent (address and port) keeps its pin: a changed certificate there is refused. Another address
        // is another agent as far as hactl can tell: pinned anew.
        var pin = previous is not null && previous.Address == address && previous.Port == target.Port ? previous.Fingerprint : null;
        using var client = new HostAgentClient(target.Name, address, target.Port, null, pin, timeout);
        try
        {
            var response = await client.Service.AuthAsync(new HostAuthRequest { User = user, Password = password, HostName = target.Name }, client.Options(cancellationToken))
                .ConfigureAwait(false);
            var fingerprint = client.SeenFingerprint ?? "";
            var note = pin is null
                ? $"certificate SHA-256 {fingerprint} (new: trusted on first use and pinned; compare with the host agent's log on {target.Name})"
                : $"certificate SHA-256 {fingerprint} (pinned, unchanged)";
            return (target, new NodeOutcome(target.Name, true, note), new KnownHost(address, target.Port, response.Token, fingerprint));
        }
        catch (RpcException e)
        {
            return (target, new NodeOutcome(target.Name, false, client.Describe(e, authenticating: true)), null);
        }
    }

    private static async Task<int> DeauthAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var timeout = args.TakeOption("--request-timeout") is { } text && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(10);
        var names = new List<string>();
        while (!args.AtEnd)
        {
            names.Add(args.Take("node name"));
        }

        var path = KnownHosts.PathFor(context.Host);
        var known = KnownHosts.Load(path);
        var unknown = names.Where(n => !known.Hosts.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            context.Error.Write($"error: not authenticated to {string.Join(", ", unknown)} (nothing to forget in {path})\n");
            return ExitCodes.Failure;
        }

        var doomed = names.Count > 0 ? names : [.. known.Hosts.Keys.Order(StringComparer.Ordinal)];
        var outcomes = await HostTargets.RunAsync(doomed, known, timeout, async (client, ct) =>
        {
            await client.Service.DeauthAsync(new HostDeauthRequest(), client.Options(ct)).ConfigureAwait(false);
            return "token revoked and forgotten";
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            known.Without(doomed).Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.Write($"error: cannot write the known-hosts file {path}: {e.Message}\n");
            return ExitCodes.Failure;
        }

        foreach (var outcome in outcomes)
        {
            context.Out.Write(outcome.Succeeded
                ? $"{outcome.Node}: {outcome.Message}\n"
                : $"{outcome.Node}: token forgotten here, but not revoked on the node ({outcome.Message})\n");
        }

        return ExitCodes.Ok;
    }

    private static string Ask(CommandContext context, string prompt, bool secret)
    {
        context.Out.Write(prompt);
        context.Out.Flush();
        if (!secret || context.Host.Input != Console.In)
        {
            return context.Host.Input.ReadLine() ?? "";
        }

        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                context.Out.Write("\n");
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
