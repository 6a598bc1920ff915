package io.exodus.analyzer.recommend;

import java.util.List;

/** A recommended choice and the reasons for it, each a sentence a person can check against the profile. */
public record Choice<T>(T value, List<String> reasons) {

    public Choice(T value, String reason) {
        this(value, List.of(reason));
    }
}
