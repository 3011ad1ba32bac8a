using System.Security.Cryptography;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The data side of an update (<see cref="AprTrainer.Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/>):
/// the model with the unseen users and items folded in, every positive over the grown vocabularies, and the positives
/// the continued training runs on (the new ones and a sample of whole old users).
/// </summary>
internal static class ModelUpdate
{
    /// <summary>What the update trains from.</summary>
    /// <param name="Start">The model with the new users (from their known items) and then the new items (from all their users) folded in.</param>
    /// <param name="All">The old and new positives over <paramref name="Start"/>'s vocabularies.</param>
    /// <param name="Sample">The positives the update trains on: every positive of the users with new ones, and whole sampled old users.</param>
    /// <param name="NewUsers">Users folded in.</param>
    /// <param name="NewItems">Items folded in.</param>
    internal sealed record Prepared(FactorizationModel Start, InteractionData All, InteractionData Sample, int NewUsers, int NewItems);

    /// <summary>Folds in the unseen users and items of <paramref name="added"/> and draws the training sample.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="known">The positives it was trained on, over its vocabularies.</param>
    /// <param name="added">The new positives, over their own vocabularies (known and unseen ids alike).</param>
    /// <param name="foldIn">The fold-in objective.</param>
    /// <param name="oldPerNew">Old positives sampled per new one.</param>
    /// <param name="seed">The seed of the user sample.</param>
    public static Prepared Prepare(FactorizationModel model, InteractionData known, InteractionData added, FoldInOptions foldIn, double oldPerNew, int seed)
    {
        if (!known.Users.Equals(model.Users) || !known.Items.Equals(model.Items))
            throw new ArgumentException("The trained-on positives must use the model's user and item vocabularies.", nameof(known));
        if (added.Users.Kind != model.Users.Kind) throw new ArgumentException($"The model's user ids are {model.Users.Kind}, the new rows' {added.Users.Kind}.", nameof(added));
        if (added.Items.Kind != model.Items.Kind) throw new ArgumentException($"The model's item ids are {model.Items.Kind}, the new rows' {added.Items.Kind}.", nameof(added));
        if (added.Count == 0) throw new ArgumentException("The new rows hold no positive interaction (check MinRating).", nameof(added));

        var newUserIds = Unseen(model.Users, added.Users);
        var newItemIds = Unseen(model.Items, added.Items);
        var start = model;
        if (newUserIds.Count > 0) start = start.FoldInUsers(Restrict(added, newUserIds, Every(added.Items)), foldIn);
        if (newItemIds.Count > 0)
        {
            // The new items are solved against every user they have, the just folded-in ones included, and as the
            // sampled negatives of the old positives (in training's proportion).
            var knownNow = known.WithVocabularies(start.Users, start.Items);
            start = start.FoldInItems(Restrict(added, Every(added.Users), newItemIds), knownNow, foldIn);
        }
        var all = known.WithVocabularies(start.Users, start.Items).Union(added.WithVocabularies(start.Users, start.Items));
        var addedHere = added.WithVocabularies(start.Users, start.Items);
        return new Prepared(start, all, Sample(all, addedHere, oldPerNew, seed), newUserIds.Count, newItemIds.Count);
    }

    /// <summary>A fingerprint of <paramref name="model"/>'s weights and vocabularies (recorded in an update's checkpoint settings).</summary>
    public static string Fingerprint(FactorizationModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return Convert.ToHexString(SHA256.HashData(stream.ToArray()))[..16];
    }

    /// <summary>The ids of <paramref name="ids"/> absent from <paramref name="known"/>.</summary>
    private static List<int> Unseen(IdVocabulary known, IdVocabulary ids) =>
        Enumerable.Range(0, ids.Count).Where(k => known.IndexOf(ids, k) < 0).ToList();

    /// <summary>The positives of <paramref name="data"/> whose user is among <paramref name="users"/> (indices into data.Users) and item among <paramref name="items"/>, over vocabularies of exactly those ids.</summary>
    private static InteractionData Restrict(InteractionData data, IReadOnlyList<int> users, IReadOnlyList<int> items)
    {
        var userVocabulary = Vocabulary(data.Users, users);
        var itemVocabulary = Vocabulary(data.Items, items);
        var u = new List<int>();
        var i = new List<int>();
        foreach (int user in users)
        {
            int mappedUser = userVocabulary.IndexOf(data.Users, user);
            foreach (int item in data.ItemsOf(user))
                if (itemVocabulary.IndexOf(data.Items, item) is var mappedItem and >= 0) { u.Add(mappedUser); i.Add(mappedItem); }
        }
        return InteractionData.FromIndices(userVocabulary, itemVocabulary, u.ToArray(), i.ToArray());
    }

    private static List<int> Every(IdVocabulary ids) => Enumerable.Range(0, ids.Count).ToList();

    private static IdVocabulary Vocabulary(IdVocabulary source, IReadOnlyList<int> indices) =>
        source.Kind == IdKind.Int64 ? IdVocabulary.FromInt64(indices.Select(k => source.Int64Ids[k])) : IdVocabulary.FromStrings(indices.Select(k => source.StringIds[k]));

    /// <summary>Every positive of the users with new ones, then whole other users in a seeded random order until the old positives reach <paramref name="oldPerNew"/> × the new.</summary>
    private static InteractionData Sample(InteractionData all, InteractionData added, double oldPerNew, int seed)
    {
        var chosen = new bool[all.Users.Count];
        long old = 0;
        foreach (int u in added.ActiveUsers())
        {
            chosen[u] = true;
            old += all.ItemsOf(u).Length - added.ItemsOf(u).Length;
        }
        double target = oldPerNew * added.Count;
        var others = all.ActiveUsers().Where(u => !chosen[u]).ToArray();
        new Random(seed).Shuffle(others);
        foreach (int u in others)
        {
            if (old >= target) break;
            chosen[u] = true;
            old += all.ItemsOf(u).Length;
        }
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < all.Users.Count; u++)
            if (chosen[u])
                foreach (int i in all.ItemsOf(u)) { users.Add(u); items.Add(i); }
        return InteractionData.FromIndices(all.Users, all.Items, users.ToArray(), items.ToArray());
    }
}
