using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Options;
using Grpc.Core;

namespace ClusterManager.Daemon.Host;

/// <summary>The node list update of <c>hactl cluster node add|remove</c> (pcs rewrites corosync.conf on every node).</summary>
internal sealed partial class HostApiService
{
    public override Task<HostServiceResponse> UpdateNodes(HostUpdateNodesRequest request, ServerCallContext context) =>
        ChangeAsync(context, "update-nodes", _ =>
        {
            if (!installation.Configured)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node has no cluster configuration (hactl cluster setup first)"));
            }

            var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip };
            JsonObject root;
            JsonArray nodes;
            try
            {
                nodes = JsonNode.Parse(request.NodesJson, documentOptions: documentOptions) as JsonArray ?? throw new JsonException("not a JSON array");
                root = JsonNode.Parse(File.ReadAllText(installation.ConfigFile), documentOptions: documentOptions) as JsonObject
                       ?? throw new JsonException($"{installation.ConfigFile} is not a JSON object");
            }
            catch (JsonException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the node list does not parse: {e.Message}"));
            }

            var section = root["Clusterd"] as JsonObject
                          ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{installation.ConfigFile} has no \"Clusterd\" section"));
            section["Nodes"] = nodes;
            var text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
            var parsed = new ClusterdOptions();
            new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(text))).Build()
                .GetSection(ClusterdOptions.Section).Bind(parsed);
            var validation = new ClusterdOptionsValidator().Validate(null, parsed);
            if (validation.Failed)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the node list is not valid here: {string.Join("; ", validation.Failures)}"));
            }

            SecureFile.Write(installation.ConfigFile, text, secret: false);
            return Task.FromResult(ServiceResult.Done($"node list updated ({string.Join(", ", parsed.Nodes.Select(n => n.Name))})"));
        });
}
