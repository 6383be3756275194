"""The leisure profile's comments: theme -> tone -> comments."""

from __future__ import annotations

_LEISURE = {
    "facilities": {
        "positive": (
            "The new gym equipment is great and there is always a machine free.",
            "Lovely pool, warm and not too busy in the mornings.",
            "The sauna and steam room are a real treat after a swim.",
        ),
        "negative": (
            "The showers have been cold for over a week.",
            "Half the lockers are broken, so I have to carry my bag round the gym.",
            "The car park is always full in the evenings.",
        ),
        "suggestion": (
            "Please put more hooks and benches in the changing rooms.",
            "Open the café earlier for the early swimmers.",
        ),
    },
    "cleanliness": {
        "positive": (
            "Changing rooms are always clean and tidy.",
            "The centre is spotlessly clean, even on a busy Saturday.",
            "Clean toilets and the showers smell fresh.",
        ),
        "negative": (
            "The changing rooms were dirty with hair on the floor.",
            "The family changing area was a mess on Sunday afternoon.",
            "There is a bad smell near the poolside toilets.",
        ),
        "suggestion": (
            "Check the changing rooms are clean more often at weekends.",
            "Put up a number to text when something needs cleaning.",
        ),
    },
    "classes": {
        "positive": (
            "The spin class instructor is brilliant and motivating.",
            "My daughter loves her swimming lessons and has come on so much.",
            "Great variety of classes on the timetable.",
        ),
        "negative": (
            "The aqua aerobics class time changed without any notice.",
            "Classes are always full by the time I can book.",
            "Swimming lessons were cancelled twice this term.",
        ),
        "suggestion": (
            "Add more evening classes for people who work.",
            "Publish the class timetable a month ahead.",
        ),
    },
    "staff": {
        "positive": (
            "Reception staff are always friendly and remember my name.",
            "The lifeguards are attentive and helpful with the children.",
            "The gym instructor was polite and gave me a good plan.",
        ),
        "negative": (
            "The receptionist was rude when I asked about my membership.",
            "Staff did not seem interested when I reported the broken locker.",
            "The lifeguard shouted at my son in front of everyone.",
        ),
        "suggestion": (
            "Have a member of staff in the gym at quiet times too.",
            "Name badges for staff would help.",
        ),
    },
    "price": {
        "positive": (
            "Good value for money compared with private gyms.",
            "The family membership discount makes it affordable for us.",
            "Fair prices for swimming lessons.",
        ),
        "negative": (
            "The price rise this year is too much for a council centre.",
            "I was charged after I cancelled my membership.",
            "Too expensive to bring the whole family swimming.",
        ),
        "suggestion": (
            "An off-peak membership at a lower price would suit retired people.",
            "A discount for paying for lessons a year ahead would help.",
        ),
    },
    "website": {
        "positive": (
            "The booking app is quick and easy to use.",
            "Booking online is so much easier than ringing up.",
        ),
        "negative": (
            "The booking app lost my class booking again.",
            "The website does not show when the pool is closed for lessons.",
            "I cannot log in to the app to cancel bookings.",
        ),
        "suggestion": (
            "Show the pool lane timetable on the app.",
            "Let us join a waiting list for full classes in the app.",
        ),
    },
    "waiting time": {
        "positive": (
            "Never have to wait for a machine in the gym in the mornings.",
            "Quick service at reception even when it was busy.",
        ),
        "negative": (
            "The queue at reception on Saturday morning was 20 minutes.",
            "I was on hold for ages when I rang to book.",
            "Too slow to sort out my direct debit problem.",
        ),
        "suggestion": (
            "Open a second till at reception at busy times to cut the queue.",
            "Add self-service check-in so we do not have to wait.",
        ),
    },
}
