using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Checking;
using Xunit;

namespace CnnGen.Tests.Diagnostics
{
    /// <summary>
    /// The analyzer's fix search walks a bounded number of values whatever the declaration: a padding or group count near
    /// int.MaxValue once made it walk every value between (half a minute per layer, minutes for a network).
    /// </summary>
    public sealed class FixSearchTests
    {
        [Theory]
        [InlineData(3, 10)]
        [InlineData(0, 5)]
        [InlineData(5, 5)]
        [InlineData(9, 4)]
        [InlineData(-3, 4)]
        [InlineData(2, 0)]
        [InlineData(7, -1)]
        public void Nearest_gives_every_value_in_range_by_distance_lower_first(int current, int limit)
        {
            // Reference: sort the whole range by distance, then by value.
            List<long> expected = Enumerable.Range(0, Math.Max(limit + 1, 0)).Select(v => (long)v).Where(v => v != current)
                .OrderBy(v => Math.Abs(v - current)).ThenBy(v => v).ToList();
            Assert.Equal(expected, FixSearch.Nearest(current, limit).ToList());
        }

        [Theory]
        [InlineData(1_000_000_000L, 4L)]
        [InlineData(int.MaxValue, 2L)]
        [InlineData(int.MaxValue, int.MaxValue - 1L)]
        [InlineData(0L, int.MaxValue)]
        [InlineData(int.MinValue, int.MaxValue)]
        [InlineData(1_000_000L, 2_000_000L)]
        public void Nearest_stops_after_the_search_limit_and_starts_at_the_nearer_end(long current, long limit)
        {
            List<long> values = FixSearch.Nearest(current, limit).Take(FixSearch.SearchLimit + 1).ToList();
            Assert.Equal((int)Math.Min(FixSearch.SearchLimit, limit + 1 - (current >= 0 && current <= limit ? 1 : 0)), values.Count);
            Assert.Equal(current > limit ? limit : current < 0 ? 0 : current == 0 ? 1 : current - 1, values[0]);
            Assert.All(values, v => Assert.InRange(v, 0, limit));
        }

        [Fact]
        public void CommonDivisors_match_a_direct_count_ascending()
        {
            for (int a = -1; a <= 60; a++)
            {
                for (int b = -1; b <= 60; b++)
                {
                    List<long> expected = Enumerable.Range(1, Math.Max(Math.Min(a, b), 0)).Where(d => a % d == 0 && b % d == 0).Select(d => (long)d).ToList();
                    Assert.Equal(expected, FixSearch.CommonDivisors(a, b));
                }
            }
        }

        [Theory]
        [InlineData(2147483646L, 2147483646L, 192)] // 2·3²·7·11·31·151·331: 2·3·2·2·2·2·2 divisors
        [InlineData(2147483647L, 2147483646L, 1)] // a prime and its predecessor
        [InlineData(1073741824L, 536870912L, 30)] // 2^30 and 2^29
        public void CommonDivisors_of_huge_counts(long a, long b, int count)
        {
            List<long> divisors = FixSearch.CommonDivisors(a, b);
            Assert.Equal(count, divisors.Count);
            Assert.All(divisors, d => Assert.True(a % d == 0 && b % d == 0, d + " divides both"));
            Assert.Equal(divisors.OrderBy(d => d), divisors);
            Assert.Equal(1, divisors[0]);
        }
    }
}
