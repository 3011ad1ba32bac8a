using System.CommandLine;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>The hybrid recommender's text flags, shared by train and evaluate --cold-start, and how they are embedded.</summary>
internal sealed class TextFlags
{
    public readonly Option<string?> ItemText = new("--item-text")
    {
        Description = "Item text for the hybrid (id + text) model, embedded with all-MiniLM-L6-v2: a MovieLens u.item file (title and genre names), " +
            "or FILE:COLUMNS with 1-based text columns (first column the item id; '|', tab or comma separated), e.g. items.tsv:2,3.",
        HelpName = "FILE[:COLUMNS]",
    };
    public readonly Option<string?> UserText = new("--user-text") { Description = "Optional user text FILE:COLUMNS (first column the user id), e.g. u.user:2,3,4 (with --item-text).", HelpName = "FILE:COLUMNS" };

    /// <summary>The text files (the projection's L2, --text-l2, is a hyper-parameter flag of <see cref="ModelFlags"/>).</summary>
    public IEnumerable<Option> All => [ItemText, UserText];

    /// <summary>Whether --item-text was given.</summary>
    public bool IsHybrid(CommandContext c) => c.Get(ItemText) is not null;

    /// <summary>Embeds the files named by the flags (one encoder for both); nulls without --item-text.</summary>
    public (TextFeatures? Items, TextFeatures? Users) Load(CommandContext c)
    {
        var itemSpec = c.Get(ItemText);
        var userSpec = c.Get(UserText);
        if (itemSpec is null)
        {
            if (userSpec is not null) throw new CliException("--user-text needs --item-text.");
            return (null, null);
        }
        using var encoder = TextEncoder.CreateMiniLM();
        var items = Embed(itemSpec, "--item-text", encoder);
        var users = userSpec is null ? null : Embed(userSpec, "--user-text", encoder);
        return (items, users);
    }

    /// <summary>Embeds one FILE[:COLUMNS] with <paramref name="encoder"/>; a bad spec is an error naming <paramref name="flag"/>.</summary>
    public static TextFeatures Embed(string spec, string flag, TextEncoder encoder)
    {
        try
        {
            return TextFeatures.FromFile(spec, encoder);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException)
        {
            throw new CliException($"{flag}: {e.Message.Split('\n')[0].Replace(" (Parameter 'spec')", "")}");
        }
    }

    /// <summary>Sets the text options of <paramref name="options"/>.</summary>
    public static void Apply(FactorizationTrainerOptions options, TextFeatures? items, TextFeatures? users)
    {
        options.ItemText = items;
        options.UserText = users;
    }
}
