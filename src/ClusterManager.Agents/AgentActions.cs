namespace ClusterManager.Agents;

/// <summary>The action names agents understand (OCF 1.1 plus Pacemaker's extensions).</summary>
public static class AgentActions
{
    public const string Start = "start";
    public const string Stop = "stop";
    public const string Monitor = "monitor";
    public const string Promote = "promote";
    public const string Demote = "demote";
    public const string Reload = "reload";
    public const string ReloadAgent = "reload-agent";
    public const string MetaData = "meta-data";
    public const string ValidateAll = "validate-all";
    public const string Notify = "notify";
    public const string MigrateTo = "migrate_to";
    public const string MigrateFrom = "migrate_from";
}
