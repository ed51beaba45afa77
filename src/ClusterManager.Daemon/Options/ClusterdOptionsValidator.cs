using System.Net;
using Microsoft.Extensions.Options;

namespace ClusterManager.Daemon.Options;

/// <summary>Checks <see cref="ClusterdOptions"/> at start-up; each failure names the option and the problem.</summary>
public sealed class ClusterdOptionsValidator : IValidateOptions<ClusterdOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.NodeName))
        {
            errors.Add("Clusterd:NodeName is required");
        }

        if (options.Nodes.Count == 0)
        {
            errors.Add("Clusterd:Nodes is empty: list every initial member (name, raftEndpoint, apiEndpoint)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var endpoints = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Nodes.Count; i++)
        {
            var node = options.Nodes[i];
            var where = $"Clusterd:Nodes:{i}";
            if (string.IsNullOrWhiteSpace(node.Name))
            {
                errors.Add($"{where}:Name is required");
            }
            else if (!names.Add(node.Name))
            {
                errors.Add($"{where}:Name '{node.Name}' appears twice");
            }

            foreach (var (field, value) in new[] { ("RaftEndpoint", node.RaftEndpoint), ("ApiEndpoint", node.ApiEndpoint) })
            {
                if (!IPEndPoint.TryParse(value ?? "", out var ep) || ep.Port == 0)
                {
                    errors.Add($"{where}:{field} '{value}' is not IP:port (host names are not accepted)");
                }
                else if (!endpoints.Add(ep.ToString()))
                {
                    errors.Add($"{where}:{field} {ep} is used twice");
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(options.NodeName) && options.Nodes.Count > 0 && !names.Contains(options.NodeName))
        {
            errors.Add($"Clusterd:NodeName '{options.NodeName}' is not in Clusterd:Nodes");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Clusterd:DataDirectory is required");
        }

        if (options.LowerElectionTimeoutMs < 50 || options.UpperElectionTimeoutMs <= options.LowerElectionTimeoutMs)
        {
            errors.Add($"election timeouts {options.LowerElectionTimeoutMs}..{options.UpperElectionTimeoutMs} ms: need 50 <= lower < upper");
        }

        if (options.ConnectTimeoutMs <= 0 || options.ConnectTimeoutMs > options.RequestTimeoutMs)
        {
            errors.Add($"Clusterd:ConnectTimeoutMs {options.ConnectTimeoutMs} must be positive and at most RequestTimeoutMs {options.RequestTimeoutMs}");
        }

        if (options.RequestTimeoutMs <= 0)
        {
            errors.Add("Clusterd:RequestTimeoutMs must be positive");
        }

        if (options.HeartbeatThreshold is <= 0 or >= 1)
        {
            errors.Add($"Clusterd:HeartbeatThreshold {options.HeartbeatThreshold} must be in (0, 1)");
        }

        if (options.SnapshotInterval < 1)
        {
            errors.Add("Clusterd:SnapshotInterval must be at least 1");
        }

        if (options.WriteTimeoutMs < 100)
        {
            errors.Add("Clusterd:WriteTimeoutMs must be at least 100");
        }

        if (options.WalChunkSize < 65536)
        {
            errors.Add("Clusterd:WalChunkSize must be at least 65536 bytes");
        }

        var security = options.Security;
        var tlsFiles = new[] { ("CaFile", security.CaFile), ("CertificateFile", security.CertificateFile), ("KeyFile", security.KeyFile) };
        if (tlsFiles.Any(f => !string.IsNullOrWhiteSpace(f.Item2)))
        {
            foreach (var (field, value) in tlsFiles)
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    errors.Add($"Clusterd:Security:{field} is required when TLS is configured (CaFile, CertificateFile and KeyFile go together)");
                }
                else if (!File.Exists(value))
                {
                    errors.Add($"Clusterd:Security:{field} '{value}' does not exist");
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(security.TokenHashesFile) && !File.Exists(security.TokenHashesFile))
        {
            errors.Add($"Clusterd:Security:TokenHashesFile '{security.TokenHashesFile}' does not exist");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
