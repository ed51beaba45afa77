namespace ClusterManager.Cli.Commands;

/// <summary>
/// The commands of hactl, looked up by their leading words (pcs style: <c>hactl resource create ...</c>,
/// <c>hactl constraint location ...</c>); the longest matching command wins.
/// </summary>
public sealed class CommandTable
{
    private readonly List<CommandDefinition> _commands = [];

    /// <summary>The commands in registration order.</summary>
    public IReadOnlyList<CommandDefinition> Commands => _commands;

    /// <summary>Adds a command.</summary>
    /// <exception cref="ArgumentException">A command with the same words exists.</exception>
    public CommandTable Add(CommandDefinition command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_commands.Any(c => c.Words.SequenceEqual(command.Words)))
        {
            throw new ArgumentException($"command '{command.Name}' is defined twice", nameof(command));
        }

        _commands.Add(command);
        return this;
    }

    /// <summary>Adds several commands (one family).</summary>
    /// <exception cref="ArgumentException">A command with the same words exists.</exception>
    public CommandTable AddRange(IEnumerable<CommandDefinition> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        foreach (var command in commands)
        {
            Add(command);
        }

        return this;
    }

    /// <summary>Finds the command whose words begin <paramref name="args"/>; null when none does.</summary>
    public CommandDefinition? Find(IReadOnlyList<string> args) => _commands
        .Where(c => c.Words.Count <= args.Count && c.Words.Select((w, i) => args[i] == w).All(x => x))
        .MaxBy(c => c.Words.Count);

    /// <summary>Commands that start with the given first word (for "did you mean" help).</summary>
    public IEnumerable<CommandDefinition> Family(string first) =>
        _commands.Where(c => c.Words.Count > 0 && c.Words[0] == first);
}
