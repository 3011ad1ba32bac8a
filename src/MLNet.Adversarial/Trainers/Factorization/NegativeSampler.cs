using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Trainers;

/// <summary>Draws items a user has no positive for, uniformly, by rejection against the user's sorted positives.</summary>
internal sealed class NegativeSampler
{
    private readonly InteractionData _positives;
    private readonly Random _rng;

    public NegativeSampler(InteractionData positives, Random rng)
    {
        _positives = positives;
        _rng = rng;
    }

    /// <summary>Throws when some user has every item as a positive, so no negative exists for it.</summary>
    public static void EnsureNegativesExist(InteractionData positives)
    {
        foreach (var u in positives.ActiveUsers())
            if (positives.ItemsOf(u).Length >= positives.Items.Count)
                throw new InvalidOperationException(
                    $"User '{positives.Users.GetIdText(u)}' has a positive for every one of the {positives.Items.Count} items, so no negative item can be sampled for it.");
    }

    /// <summary>One uniform negative for <paramref name="user"/>.</summary>
    public int Next(int user)
    {
        var positives = _positives.ItemsOf(user);
        int itemCount = _positives.Items.Count;
        while (true)
        {
            int candidate = _rng.Next(itemCount);
            if (positives.BinarySearch(candidate) < 0) return candidate;
        }
    }

    /// <summary>Fills <paramref name="destination"/> with uniform negatives for <paramref name="user"/>.</summary>
    public void Fill(int user, Span<long> destination)
    {
        for (int k = 0; k < destination.Length; k++) destination[k] = Next(user);
    }
}
