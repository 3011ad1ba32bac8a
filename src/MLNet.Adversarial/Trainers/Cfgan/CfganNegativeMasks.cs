namespace MLNet.Adversarial.Trainers;

/// <summary>
/// CFGAN's negative items: for each round of the game and each user, a random share of the items the user has not
/// purchased, drawn once for partial masking (PM) and once, independently, for zero reconstruction (ZR). Each
/// unpurchased item is drawn with probability equal to the ratio (the expected share; the authors draw exactly that
/// share without replacement). The draw depends only on the seed, the round, the user and the scheme, so it needs no
/// storage: the discriminator's and the generator's passes of a round regenerate the same masks.
/// </summary>
internal static class CfganNegativeMasks
{
    /// <summary>The two schemes, which draw independent streams.</summary>
    public enum Scheme : ulong
    {
        /// <summary>Partial masking: items that join the user's purchases in the mask of the generated vector.</summary>
        PartialMasking = 0x5041_5254_4941_4C4DUL,

        /// <summary>Zero reconstruction: items whose generated value is pushed to 0.</summary>
        ZeroReconstruction = 0x5A45_524F_5245_434EUL,
    }

    /// <summary>
    /// Adds 1 to <paramref name="mask"/> at each drawn item: those not in <paramref name="purchased"/> (sorted item
    /// indices), each with probability <paramref name="ratio"/>.
    /// </summary>
    public static void Add(Span<float> mask, ReadOnlySpan<int> purchased, double ratio, int seed, int round, int user, Scheme scheme)
    {
        if (ratio <= 0) return;
        ulong state = Mix(Mix(Mix((ulong)(uint)seed ^ (ulong)scheme) ^ (ulong)(uint)round) ^ (ulong)(uint)user);
        // An item is drawn when a uniform 64-bit number falls below ratio·2^64.
        ulong threshold = ratio >= 1 ? ulong.MaxValue : (ulong)(ratio * 18446744073709551616.0);
        int next = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (next < purchased.Length && purchased[next] == i) { next++; continue; }
            state += 0x9E3779B97F4A7C15UL;
            if (Mix(state) < threshold) mask[i] += 1;
        }
    }

    /// <summary>SplitMix64's finaliser: a fast, well-mixed hash of a 64-bit counter.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
