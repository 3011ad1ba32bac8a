using System.CommandLine;
using MLNet.Adversarial.Robustness;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>The flags of a shilling attack (<see cref="ShillingAttack.Options"/>) and the CLI words of the profiles and defences.</summary>
internal sealed class AttackFlags
{
    public readonly Option<int> TargetCount = new("--target-count") { Description = "Without --targets: how many unpopular items (the least popular quarter of the items with a positive) the seed draws as targets.", DefaultValueFactory = _ => ShillingAttack.Defaults.TargetCount, HelpName = "N" };
    public readonly Option<string?> Targets = new("--targets") { Description = "Item ids to promote, comma-separated (default: --target-count drawn from the unpopular items with --seed).", HelpName = "ID,ID,..." };
    public readonly Option<int> Selected = new("--selected") { Description = "Bandwagon: the most popular items each fake user rates highest; segment: the segment items (those most consumed with the targets).", DefaultValueFactory = _ => ShillingAttack.Defaults.SelectedItems, HelpName = "N" };
    public readonly Option<int> Fillers = new("--fillers") { Description = "Filler items per fake user, drawn uniformly.", DefaultValueFactory = _ => ShillingAttack.Defaults.FillerItems, HelpName = "N" };

    /// <summary>The flags, in help order.</summary>
    public IEnumerable<Option> All => [TargetCount, Targets, Selected, Fillers];

    /// <summary>The attack of <paramref name="profile"/> at fake-user share <paramref name="budget"/>, validated (a bad value is a one-line error).</summary>
    public ShillingAttack Create(CommandContext c, ShillingProfile profile, double budget, float? minRating, int seed)
    {
        var targets = c.Get(Targets) is { } list ? CliSupport.ParseList(list, "--targets", s => s, s => s.Length > 0) : null;
        var options = new ShillingAttack.Options
        {
            Profile = profile, FakeUserFraction = budget, TargetCount = c.Get(TargetCount), Targets = targets,
            SelectedItems = c.Get(Selected), FillerItems = c.Get(Fillers), MinRating = minRating, Seed = seed,
        };
        try
        {
            return new ShillingAttack(options);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CliException(Flag(e.ParamName) + ": " + e.Message.Split('(')[0].Split('\n')[0].Trim());
        }
    }

    private static string Flag(string? option) => option switch
    {
        nameof(ShillingAttack.Options.FakeUserFraction) => "--budget",
        nameof(ShillingAttack.Options.TargetCount) => "--target-count",
        nameof(ShillingAttack.Options.Targets) => "--targets",
        nameof(ShillingAttack.Options.SelectedItems) => "--selected",
        nameof(ShillingAttack.Options.FillerItems) => "--fillers",
        _ => "--" + option,
    };

    /// <summary>The CLI word of a profile.</summary>
    public static string ProfileWord(ShillingProfile profile) => profile.ToString().ToLowerInvariant();

    /// <summary>The profile a CLI word names.</summary>
    public static ShillingProfile ParseProfile(string word, string flag) =>
        Enum.GetValues<ShillingProfile>().FirstOrDefault(p => ProfileWord(p) == word, (ShillingProfile)(-1)) is var p && Enum.IsDefined(p) ? p
            : throw new CliException($"{flag}: '{word}' is not a profile (random, average, bandwagon or segment).");

    /// <summary>The CLI word of a defence.</summary>
    public static string DefenseWord(PoisoningDefense defense) => defense.ToString().ToLowerInvariant();

    /// <summary>The defence a CLI word names.</summary>
    public static PoisoningDefense ParseDefense(string word, string flag) =>
        Enum.GetValues<PoisoningDefense>().FirstOrDefault(d => DefenseWord(d) == word, (PoisoningDefense)(-1)) is var d && Enum.IsDefined(d) ? d
            : throw new CliException($"{flag}: '{word}' is not a defense (none, auto or neighbors).");
}
