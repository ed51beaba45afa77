using System.Text.Json;
using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Client;

/// <summary>
/// Where hactl reaches clusterd and how it proves who it is: the API address (http or https), a bearer token, and
/// for TLS the cluster CA (trusted as the only issuer) and optionally a client certificate. <see cref="Source"/> says
/// where the address came from, for error messages.
/// </summary>
internal sealed record ClusterEndpoint(
    Uri Address,
    string? Token,
    string? CaFile,
    string? CertificateFile,
    string? KeyFile,
    TimeSpan Timeout,
    string Source)
{
    /// <summary>The API port of <c>clusterd.example.json</c>, used when nothing else names one.</summary>
    public const int DefaultPort = 7401;

    /// <summary>Options every cluster command accepts (shown in the usage texts).</summary>
    public const string OptionsHelp = """
          -s, --server HOST:PORT  clusterd's API (https://HOST:PORT for TLS); default: $HACTL_SERVER, else this
                                  node's ApiEndpoint in /etc/clustermanager/clusterd.json, else 127.0.0.1:7401
          --token TOKEN           API token (default: $HACTL_TOKEN, else the file --token-file, $HACTL_TOKEN_FILE
                                  or ~/.config/clustermanager/token)
          --ca-file FILE          the cluster CA (PEM) for TLS (default: $HACTL_CA_FILE, else clusterd.json's)
          --cert-file FILE, --key-file FILE
                                  client certificate and key (PEM) issued by the cluster CA
          --request-timeout SEC   how long one request may take (default 30)
        """;

    /// <summary>
    /// Takes the connection options from <paramref name="args"/> and resolves the endpoint: options first, then
    /// environment variables (<c>HACTL_SERVER</c>, <c>HACTL_TOKEN</c>, <c>HACTL_TOKEN_FILE</c>,
    /// <c>HACTL_CA_FILE</c>), then this node's entry in clusterd's configuration file, then 127.0.0.1:7401.
    /// </summary>
    /// <exception cref="UsageException">An option is malformed, or a named file cannot be read.</exception>
    public static ClusterEndpoint Resolve(ArgumentCursor args, HactlHost host)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(host);
        var server = args.TakeOption("--server", "-s");
        var token = args.TakeOption("--token");
        var tokenFile = args.TakeOption("--token-file");
        var caFile = args.TakeOption("--ca-file");
        var certFile = args.TakeOption("--cert-file");
        var keyFile = args.TakeOption("--key-file");
        var timeoutText = args.TakeOption("--request-timeout");
        var timeout = TimeSpan.FromSeconds(30);
        if (timeoutText is not null)
        {
            if (!double.TryParse(timeoutText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || seconds <= 0)
            {
                throw new UsageException($"--request-timeout '{timeoutText}' is not a positive number of seconds");
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        var source = "--server";
        var local = ClusterdConfig.TryLoad(host.ClusterdConfigFile);
        if (server is null && NonEmpty(host.GetVariable("HACTL_SERVER")) is { } fromEnvironment)
        {
            server = fromEnvironment;
            source = "HACTL_SERVER";
        }

        if (server is null && local?.ApiEndpoint is { } fromConfig)
        {
            server = fromConfig;
            source = host.ClusterdConfigFile;
        }

        if (server is null)
        {
            server = $"127.0.0.1:{DefaultPort}";
            source = "the default";
        }

        caFile ??= NonEmpty(host.GetVariable("HACTL_CA_FILE"));
        // Without a scheme, TLS is used when a CA is named or this node's cluster runs TLS (all members do alike).
        var tls = caFile is not null || certFile is not null || local is { TlsEnabled: true };
        caFile ??= local?.CaFile;
        if (local is not null && certFile is null && keyFile is null && Readable(local.CertificateFile) && Readable(local.KeyFile))
        {
            // On a node, root can use the node's own certificate (the API accepts a certificate of the cluster CA).
            certFile = local.CertificateFile;
            keyFile = local.KeyFile;
        }

        if ((certFile is null) != (keyFile is null))
        {
            throw new UsageException("--cert-file and --key-file go together");
        }

        token ??= NonEmpty(host.GetVariable("HACTL_TOKEN"));
        if (token is null)
        {
            tokenFile ??= NonEmpty(host.GetVariable("HACTL_TOKEN_FILE"));
            var explicitFile = tokenFile is not null;
            tokenFile ??= NonEmpty(host.GetVariable("HOME")) is { } home ? Path.Combine(home, ".config", "clustermanager", "token") : null;
            if (tokenFile is not null && (explicitFile || File.Exists(tokenFile)))
            {
                try
                {
                    token = NonEmpty(File.ReadAllText(tokenFile).Trim());
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"cannot read the token file {tokenFile}: {e.Message}");
                }
            }
        }

        return new ClusterEndpoint(ParseAddress(server, tls), token, caFile, certFile, keyFile, timeout, source);
    }

    /// <summary>
    /// Parses <c>HOST:PORT</c>, <c>[V6]:PORT</c>, <c>HOST</c> (default port) or a full <c>http(s)://</c> URI.
    /// Without a scheme, <paramref name="tls"/> chooses https.
    /// </summary>
    /// <exception cref="UsageException">The text is not an address.</exception>
    public static Uri ParseAddress(string text, bool tls)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (Uri.TryCreate(trimmed, UriKind.Absolute, out var full) && full.Host.Length > 0)
            {
                return full.IsDefaultPort && !trimmed.Contains(":" + full.Port, StringComparison.Ordinal)
                    ? new UriBuilder(full) { Port = DefaultPort }.Uri
                    : full;
            }

            throw new UsageException($"'{text}' is not a server address (use HOST:PORT or https://HOST:PORT)");
        }

        var hasPort = trimmed.StartsWith('[') ? trimmed.Contains("]:", StringComparison.Ordinal) : trimmed.Count(c => c == ':') == 1;
        var withPort = hasPort ? trimmed : trimmed.Contains(':', StringComparison.Ordinal) && !trimmed.StartsWith('[')
            ? $"[{trimmed}]:{DefaultPort}"
            : $"{trimmed}:{DefaultPort}";
        if (trimmed.Length == 0 || !Uri.TryCreate($"{(tls ? "https" : "http")}://{withPort}", UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new UsageException($"'{text}' is not a server address (use HOST:PORT or https://HOST:PORT)");
        }

        return uri;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool Readable(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>The parts of clusterd's configuration file hactl uses: this node's API endpoint, TLS files, agent paths.</summary>
internal sealed record ClusterdConfig(
    string? NodeName,
    string? ApiEndpoint,
    bool TlsEnabled,
    string? CaFile,
    string? CertificateFile,
    string? KeyFile,
    string? OcfRoot,
    IReadOnlyList<string>? FenceAgentDirectories)
{
    /// <summary>clusterd's data directory (the default of ClusterdOptions when the file names none).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The file of accepted API token hashes.</summary>
    public string? TokenHashesFile { get; init; }

    /// <summary>The Raft timing options as written in the file (absent ones: clusterd's defaults), for <c>cluster config</c>.</summary>
    public IReadOnlyDictionary<string, double> RaftOptions { get; init; } = new Dictionary<string, double>();

    /// <summary>clusterd's defaults of <see cref="RaftOptions"/> (ClusterdOptions).</summary>
    public static readonly IReadOnlyDictionary<string, double> RaftDefaults = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["LowerElectionTimeoutMs"] = 200,
        ["UpperElectionTimeoutMs"] = 400,
        ["RequestTimeoutMs"] = 300,
        ["ConnectTimeoutMs"] = 150,
        ["HeartbeatThreshold"] = 0.5,
        ["SnapshotInterval"] = 10_000,
        ["WriteTimeoutMs"] = 5000,
    };

    /// <summary>Reads <paramref name="path"/>; null when it does not exist or cannot be read as clusterd's JSON.</summary>
    public static ClusterdConfig? TryLoad(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return Parse(document.RootElement);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the <c>Clusterd</c> section of a parsed file (property names case-insensitive, as .NET configuration).</summary>
    public static ClusterdConfig? Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || Child(root, "Clusterd") is not { ValueKind: JsonValueKind.Object } section)
        {
            return null;
        }

        var nodeName = Text(section, "NodeName");
        string? api = null;
        if (Child(section, "Nodes") is { ValueKind: JsonValueKind.Array } nodes)
        {
            foreach (var node in nodes.EnumerateArray())
            {
                if (node.ValueKind == JsonValueKind.Object && string.Equals(Text(node, "Name"), nodeName, StringComparison.Ordinal))
                {
                    api = Text(node, "ApiEndpoint");
                }
            }
        }

        var security = Child(section, "Security");
        var resources = Child(section, "Resources");
        var certificate = security is { } s ? Text(s, "CertificateFile") : null;
        IReadOnlyList<string>? fenceDirectories = null;
        if (resources is { } r && Child(r, "FenceAgentDirectories") is { ValueKind: JsonValueKind.Array } dirs)
        {
            fenceDirectories = [.. dirs.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).Select(d => d.GetString()!)];
        }

        return new ClusterdConfig(
            nodeName,
            string.IsNullOrWhiteSpace(api) ? null : api,
            !string.IsNullOrWhiteSpace(certificate),
            security is { } s1 ? Text(s1, "CaFile") : null,
            certificate,
            security is { } s2 ? Text(s2, "KeyFile") : null,
            resources is { } r1 ? Text(r1, "OcfRoot") : null,
            fenceDirectories)
        {
            DataDirectory = Text(section, "DataDirectory") ?? "/var/lib/clustermanager",
            TokenHashesFile = security is { } s3 ? Text(s3, "TokenHashesFile") : null,
            RaftOptions = RaftDefaults.ToDictionary(
                d => d.Key,
                d => Child(section, d.Key) is { ValueKind: JsonValueKind.Number } n ? n.GetDouble() : d.Value,
                StringComparer.Ordinal),
        };
    }

    private static JsonElement? Child(JsonElement parent, string name)
    {
        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement parent, string name) =>
        Child(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
