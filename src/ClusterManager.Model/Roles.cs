namespace ClusterManager.Model;

/// <summary>A resource's role, in Pacemaker's order (Stopped &lt; Started &lt; Unpromoted &lt; Promoted).</summary>
public enum ResourceRole
{
    Unknown = 0,
    Stopped = 1,
    Started = 2,
    Unpromoted = 3,
    Promoted = 4,
}

/// <summary>The actions a resource agent performs and constraints can name.</summary>
public enum ResourceAction
{
    Start,
    Stop,
    Monitor,
    Promote,
    Demote,
    MigrateTo,
    MigrateFrom,
    Notify,
    Reload,
}

public static class ResourceRoleText
{
    /// <summary>Parses a role name, accepting the legacy Master/Slave names. Returns false on an unknown name.</summary>
    public static bool TryParse(string? text, out ResourceRole role)
    {
        role = text switch
        {
            "Stopped" => ResourceRole.Stopped,
            "Started" => ResourceRole.Started,
            "Unpromoted" or "Slave" => ResourceRole.Unpromoted,
            "Promoted" or "Master" => ResourceRole.Promoted,
            _ => ResourceRole.Unknown,
        };
        return role != ResourceRole.Unknown;
    }

    public static bool TryParseAction(string? text, out ResourceAction action)
    {
        (var ok, action) = text switch
        {
            "start" => (true, ResourceAction.Start),
            "stop" => (true, ResourceAction.Stop),
            "monitor" => (true, ResourceAction.Monitor),
            "promote" => (true, ResourceAction.Promote),
            "demote" => (true, ResourceAction.Demote),
            "migrate_to" => (true, ResourceAction.MigrateTo),
            "migrate_from" => (true, ResourceAction.MigrateFrom),
            "notify" => (true, ResourceAction.Notify),
            "reload" => (true, ResourceAction.Reload),
            _ => (false, ResourceAction.Start),
        };
        return ok;
    }

    public static string ToText(this ResourceAction action) => action switch
    {
        ResourceAction.Start => "start",
        ResourceAction.Stop => "stop",
        ResourceAction.Monitor => "monitor",
        ResourceAction.Promote => "promote",
        ResourceAction.Demote => "demote",
        ResourceAction.MigrateTo => "migrate_to",
        ResourceAction.MigrateFrom => "migrate_from",
        ResourceAction.Notify => "notify",
        ResourceAction.Reload => "reload",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
